/**
 * Where a text stops being JSON (RFC 8259), and why: `JSON.parse` says so in words that differ between Node
 * versions, gives a character offset for some mistakes only, and quotes the text around it (which may span lines).
 * This scanner runs only after `JSON.parse` has failed, and names the first offending character in one short line.
 */
export interface JsonSyntaxError {
  /** The offset of the offending character; when the text ends too early, just after its last non-whitespace. */
  readonly offset: number;
  readonly reason: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

class Failure {
  constructor(public readonly offset: number, public readonly reason: string) {}
}

/** The first syntax error of the text, or undefined when it is JSON (or nested too deep to scan). */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    // A text that ends too early ends at its last character that is not whitespace.
    let at = i;
    if (at >= text.length) {
      at = text.length;
      while (at > 0 && WHITESPACE.has(text[at - 1])) at--;
    }
    throw new Failure(at, reason);
  };
  const here = () => (i >= text.length ? 'the text ends' : `unexpected ${JSON.stringify(text[i])}`);
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          HEX4.lastIndex = i + 1;
          if (!HEX4.test(text)) {
            i--;
            fail('a \\u escape needs four hexadecimal digits');
          }
          i += 5;
        } else if (ESCAPES.has(text[i])) {
          i++;
        } else {
          fail(`${here()}: not an escape JSON knows (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
        }
      } else if (c < ' ') {
        fail('a control character in a string: write it as an escape, such as \\n');
      } else {
        i++;
      }
    }
    fail('the text ends inside a string');
  };
  const value = (): void => {
    skipWhitespace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail(`${here()}: expected a property name in double quotes`);
        string();
        skipWhitespace();
        if (text[i] !== ':') fail(`${here()}: expected ":" after the property name`);
        i++;
        value();
        skipWhitespace();
        if (text[i] === '}') {
          i++;
          return;
        }
        if (text[i] !== ',') fail(`${here()}: expected "," or "}" after a property value`);
        i++;
      }
    }
    if (c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ']') {
          i++;
          return;
        }
        if (text[i] !== ',') fail(`${here()}: expected "," or "]" after an array element`);
        i++;
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail(`${here()}: not a number`);
      i = NUMBER.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`${here()}: expected a value`);
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail(`${here()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof Failure) return { offset: error.offset, reason: error.reason };
    return undefined; // nested deeper than the stack allows: JSON.parse's own message is used instead
  }
}
