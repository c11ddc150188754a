import * as fs from 'fs';
import * as path from 'path';
import { FlowJsonValidator } from '../../src';
import { findJsonSyntaxError } from '../../src/validator/json-syntax';

describe('INVALID_JSON names the line and column of the first offending character', () => {
  test.each([
    ['{\n  "a": 1,\n  "b" 2\n}', 3, 7, 'unexpected "2": expected ":" after the property name'],
    ['{\r\n  "version": "7.3",\r\n  }', 3, 3, 'unexpected "}": expected a property name in double quotes'],
    ['{"a": [1, 2,]}', 1, 13, 'unexpected "]": expected a value'],
    ['{"a": 01}', 1, 8, 'unexpected "1": expected "," or "}" after a property value'],
    ['{"a": "x\ny"}', 1, 9, 'a control character in a string: write it as an escape, such as \\n'],
    ['{"a": "\\q"}', 1, 9, 'unexpected "q": not an escape JSON knows'],
    ['{"a": "\\u12"}', 1, 8, 'a \\u escape needs four hexadecimal digits'],
    ["{'a': 1}", 1, 2, 'unexpected "\'": expected a property name in double quotes'],
    ['{"a": tru}', 1, 7, 'unexpected "t": expected a value'],
    ['{"a": -}', 1, 7, 'unexpected "-": not a number'],
    ['[1 2]', 1, 4, 'unexpected "2": expected "," or "]" after an array element'],
    ['{"a": 1}\n}', 2, 1, 'unexpected "}" after the end of the JSON value'],
    ['{"a": "open', 1, 12, 'the text ends inside a string'],
    ['{"a":\n\n', 1, 6, 'the text ends: expected a value'],
    ['', 1, 1, 'the text ends: expected a value'],
  ])('%j', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    const [error] = FlowJsonValidator.validateText(text).errors;
    expect(error).toMatchObject({ code: 'INVALID_JSON', path: '$', line, column });
    expect(error.message).toContain(`The file is not valid JSON at line ${line}, column ${column}: ${reason}`);
    expect(error.message).not.toContain('\n');
  });

  test('finds nothing in JSON that parses: every Flow of the corpus, and the corners of the grammar', () => {
    const dir = path.join(__dirname, 'flows', 'valid');
    const texts = fs.readdirSync(dir).filter((file) => file.endsWith('.json')).map((file) => fs.readFileSync(path.join(dir, file), 'utf8'));
    texts.push('0', '-0.5e+10', '"\\u00e9\\n\\"\\/"', ' [ ] ', '{}', 'true', 'null', '[false, {"a": [1.0E-3]}]');
    for (const text of texts) {
      JSON.parse(text);
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  test('other problems have no line or column: they are located by their path', () => {
    const [error] = FlowJsonValidator.validateText('{"version": "7.3", "screens": []}').errors;
    expect(error.code).toBe('SCREENS_EMPTY');
    expect(Object.keys(error)).toEqual(['code', 'path', 'message']);
  });
});
