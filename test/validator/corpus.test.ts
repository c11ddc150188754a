import * as fs from 'fs';
import * as path from 'path';
import { FlowJsonValidator } from '../../src/validator';
import { COMPONENTS } from '../../src/validator/components';
import { flowJsonNeedsEndpoint } from '../../src/validator/dynamic';
import { RULES, RuleCode } from '../../src/validator/rules';
import { PUBLISHABLE_VERSIONS } from '../../src/validator/versions';

const FLOWS = path.join(__dirname, 'flows');
const validFiles = fs.readdirSync(path.join(FLOWS, 'valid')).filter(f => f.endsWith('.json')).sort();
const invalidFiles = fs.readdirSync(path.join(FLOWS, 'invalid')).filter(f => f.endsWith('.json')).sort();
const expectations: Record<string, { code: string; path: string; severity?: 'warning' }> = JSON.parse(fs.readFileSync(path.join(FLOWS, 'invalid-expectations.json'), 'utf8'));

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

/** Flows written by Meta or by others, copied as they are: they may break our design advice (warnings). */
function isThirdParty(file: string): boolean {
  return file.startsWith('meta-') || file.startsWith('third-party-');
}

describe('valid flows', () => {
  test.each(validFiles)('%s has no errors', file => {
    const result = FlowJsonValidator.validateText(read('valid', file));
    expect(result.errors).toEqual([]);
    // Old (but publishable) versions warn; our own flows follow all the advice, others' may not (warnings never block).
    const allowed = (code: string) => code === 'VERSION_NOTICE' || (isThirdParty(file) && RULES[code as RuleCode]?.severity === 'warning');
    expect(result.warnings.filter(w => !allowed(w.code))).toEqual([]);
  });

  test('include Meta\'s own dynamic samples and dynamic Flows of other projects', () => {
    const dynamic = validFiles.filter(file => isThirdParty(file) && flowJsonNeedsEndpoint(JSON.parse(read('valid', file))));
    expect(dynamic).toEqual(expect.arrayContaining([
      'meta-appointment-booking-dynamic.json', 'meta-date-picker-dynamic.json', 'third-party-salon-booking-dynamic.json',
      'third-party-booking-dynamic-7-3.json', 'third-party-pywa-photo-picker-dynamic.json',
    ]));
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
    if (expected.severity === 'warning') {
      expect(result.errors).toEqual([]);
      expect(result.warnings.map(w => [w.code, w.path])).toEqual([[expected.code, expected.path]]);
      expect(result.warnings[0].message.length).toBeGreaterThan(20);
    } else {
      expect(new Set(result.errors.map(e => e.code))).toEqual(new Set([expected.code]));
      expect(result.errors[0].path).toBe(expected.path);
      expect(result.errors[0].message.length).toBeGreaterThan(20);
    }
  });

  test('every rule has an invalid example, except the ones only code can break', () => {
    // INVALID_JSON-like rules of size and shape are covered in validator.test.ts.
    const onlyInUnitTests = ['FLOW_TOO_LARGE', 'VERSION_NOTICE', 'TEXT_TOO_LONG', 'ENTRY_SCREEN_COUNT', 'EMPTY_ITEM_ID'];
    const covered = new Set(Object.values(expectations).map(e => e.code));
    const missing = Object.keys(RULES).filter(code => !covered.has(code) && !onlyInUnitTests.includes(code));
    expect(missing).toEqual([]);
  });

  test('every new rule family is covered by a valid example that does not trigger it', () => {
    const seen = new Set<string>();
    for (const file of validFiles) {
      const result = FlowJsonValidator.validateText(read('valid', file));
      for (const problem of [...result.errors, ...result.warnings]) seen.add(problem.code);
    }
    for (const code of ['NAVIGATE_NOT_IN_ROUTING_MODEL', 'ROUTING_MODEL_UNKNOWN_SCREEN', 'NAVIGATE_PAYLOAD_MISSING_FIELD', 'MEDIA_IN_NAVIGATE_PAYLOAD']) {
      expect(seen).not.toContain(code);
    }
  });
});
