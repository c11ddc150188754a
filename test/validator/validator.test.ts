import { buildLargeFlow } from './large-flow';
import { FlowJsonValidator } from '../../src/validator';
import { RULES } from '../../src/validator/rules';

function minimalFlow(children: any[], version = '7.3'): any {
  return {
    version,
    screens: [{ id: 'ONLY', title: 'Only', terminal: true, layout: { type: 'SingleColumnLayout', children } }],
  };
}

const footer = { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } };

describe('FlowJsonValidator', () => {
  test('a large flow (about 1 MB) is valid', () => {
    const flow = buildLargeFlow(1024 * 1024);
    expect(JSON.stringify(flow).length).toBeGreaterThan(1024 * 1024);
    expect(FlowJsonValidator.validate(flow)).toEqual({ errors: [], warnings: [] });
  });

  test('text over 10 MB is an error at $', () => {
    const flow = minimalFlow([{ type: 'TextBody', text: 'x'.repeat(4000) }, footer]);
    flow.padding = 'x'.repeat(10 * 1024 * 1024);
    const result = FlowJsonValidator.validateText(JSON.stringify(flow));
    expect(result.errors[0]).toMatchObject({ code: 'FLOW_TOO_LARGE', path: '$' });
  });

  test('validate() measures size too', () => {
    const flow = minimalFlow([{ type: 'Image', src: 'A'.repeat(11 * 1024 * 1024) }, footer]);
    expect(FlowJsonValidator.validate(flow).errors.map(e => e.code)).toEqual(['FLOW_TOO_LARGE']);
  });

  test('an object that cannot be written as JSON is an error, not an exception', () => {
    const flow = minimalFlow([footer]);
    flow.self = flow;
    expect(FlowJsonValidator.validate(flow).errors).toEqual([expect.objectContaining({ code: 'INVALID_JSON', path: '$' })]);
  });

  test('validate() and validateText() agree', () => {
    const flow = minimalFlow([{ type: 'TextBody', text: '${data.missing}' }, footer]);
    expect(FlowJsonValidator.validate(flow)).toEqual(FlowJsonValidator.validateText(JSON.stringify(flow)));
  });

  test('over-long labels and text are warnings, not errors', () => {
    const result = FlowJsonValidator.validate(minimalFlow([
      { type: 'TextHeading', text: 'A heading that goes on for far longer than the eighty characters Meta documents for it' },
      { type: 'TextInput', name: 'email', label: 'Your work email address, please' },
      { 'type': 'Dropdown', 'name': 'plan', 'label': 'Plan', 'data-source': [{ id: 'a', title: 'An option title longer than thirty characters' }] },
      footer,
    ]));
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(w => [w.code, w.path])).toEqual([
      ['TEXT_TOO_LONG', '$.screens[0].layout.children[0].text'],
      ['TEXT_TOO_LONG', '$.screens[0].layout.children[1].label'],
      ['TEXT_TOO_LONG', "$.screens[0].layout.children[2]['data-source'][0].title"],
    ]);
  });

  test('versions Meta retires first get a warning', () => {
    const result = FlowJsonValidator.validate(minimalFlow([footer], '6.0'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'VERSION_NOTICE', path: '$.version' })]);
    expect(FlowJsonValidator.validate(minimalFlow([footer], '7.3')).warnings).toEqual([]);
  });

  test('blank strings are accepted before 6.0', () => {
    const result = FlowJsonValidator.validate(minimalFlow([{ type: 'TextBody', text: ' ' }, footer], '5.1'));
    expect(result.errors).toEqual([]);
  });

  test('a Footer in both If branches counts once', () => {
    const result = FlowJsonValidator.validate(minimalFlow([
      { type: 'OptIn', name: 'agree', label: 'I agree' },
      { type: 'If', condition: '${form.agree}', then: [footer], else: [{ ...footer, label: 'Skip' }] },
    ]));
    expect(result.errors).toEqual([]);
  });

  test('the same field name may appear in exclusive If branches', () => {
    const input = { type: 'TextInput', name: 'reason', label: 'Reason' };
    const result = FlowJsonValidator.validate(minimalFlow([
      { type: 'OptIn', name: 'agree', label: 'I agree' },
      { type: 'If', condition: '${form.agree}', then: [input], else: [{ ...input, label: 'Why not?' }] },
      footer,
    ]));
    expect(result.errors).toEqual([]);
  });

  test('a flow with no entry screen is reported', () => {
    const screen = (id: string, next: string) => ({
      id, title: id, layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: next } } }] },
    });
    const result = FlowJsonValidator.validate({ version: '7.3', screens: [screen('A', 'B'), { ...screen('B', 'A'), terminal: true }] });
    expect(result.errors.map(e => e.code)).toEqual(['TERMINAL_FOOTER_NAVIGATES', 'ENTRY_SCREEN_COUNT', 'NAVIGATION_CYCLE']);
  });

  test('not-objects are reported where they are, and nothing throws', () => {
    for (const input of [null, 42, 'text', [], { version: '7.3', screens: [null, 5] }, { version: '7.3', screens: [{ layout: { type: 'SingleColumnLayout', children: [null, { type: 'Footer' }] } }] }]) {
      expect(() => FlowJsonValidator.validate(input)).not.toThrow();
      expect(FlowJsonValidator.validate(input).errors.length).toBeGreaterThan(0);
    }
  });

  test('every reported code is a documented rule', () => {
    const flow = minimalFlow([{ type: 'Nope' }, { type: 'TextBody', text: '${form.x} ${screen.X.data.y}' }]);
    const result = FlowJsonValidator.validate(flow);
    for (const problem of [...result.errors, ...result.warnings]) expect(Object.keys(RULES)).toContain(problem.code);
  });
});
