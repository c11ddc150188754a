import * as fs from 'fs';
import * as path from 'path';
import { FlowJsonValidator } from '../../src/validator';
import { COMPONENTS } from '../../src/validator/components';
import { PUBLISHABLE_VERSIONS } from '../../src/validator/versions';

const FLOWS = path.join(__dirname, 'flows');
const validFiles = fs.readdirSync(path.join(FLOWS, 'valid')).filter(f => f.endsWith('.json')).sort();
const invalidFiles = fs.readdirSync(path.join(FLOWS, 'invalid')).filter(f => f.endsWith('.json')).sort();
const expectations: Record<string, { code: string; path: string }> = JSON.parse(fs.readFileSync(path.join(FLOWS, 'invalid-expectations.json'), 'utf8'));

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(FLOWS, dir, file), 'utf8');
}

/** Every component type used anywhere in a flow, including inside Form, If and Switch. */
function componentTypes(value: any, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach(item => componentTypes(item, found));
  } else if (value && typeof value === 'object') {
    if (typeof value.type === 'string' && COMPONENTS[value.type]) found.add(value.type);
    Object.values(value).forEach(item => componentTypes(item, found));
  }
  return found;
}

describe('valid flows', () => {
  test.each(validFiles)('%s has no errors', file => {
    const result = FlowJsonValidator.validateText(read('valid', file));
    expect(result.errors).toEqual([]);
    // Old (but publishable) versions warn; nothing else should.
    expect(result.warnings.filter(w => w.code !== 'VERSION_NOTICE')).toEqual([]);
  });

  test('cover every publishable version', () => {
    const versions = new Set(validFiles.map(file => JSON.parse(read('valid', file)).version));
    expect([...versions].sort()).toEqual(PUBLISHABLE_VERSIONS.map(v => v.version));
  });

  test('cover every component', () => {
    const used = new Set<string>();
    validFiles.forEach(file => componentTypes(JSON.parse(read('valid', file)), used));
    expect([...used].sort()).toEqual(Object.keys(COMPONENTS).sort());
  });

  test('include the realistic flows', () => {
    expect(validFiles).toEqual(expect.arrayContaining([
      'appointment-booking.json', 'lead-generation.json', 'survey.json', 'sign-up.json', 'feedback-form.json',
    ]));
  });
});

describe('invalid flows', () => {
  test('every invalid flow has an expectation, and every expectation a flow', () => {
    expect(Object.keys(expectations).sort()).toEqual(invalidFiles);
    expect(invalidFiles.length).toBeGreaterThanOrEqual(40);
  });

  test.each(invalidFiles)('%s breaks exactly its one rule', file => {
    const expected = expectations[file];
    const result = FlowJsonValidator.validateText(read('invalid', file));
    expect(new Set(result.errors.map(e => e.code))).toEqual(new Set([expected.code]));
    expect(result.errors[0].path).toBe(expected.path);
    expect(result.errors[0].message.length).toBeGreaterThan(20);
  });
});
