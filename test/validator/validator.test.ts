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
    expect(result.errors.map(e => e.code)).toEqual(['ENTRY_SCREEN_COUNT']);
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

  test('a UTF-8 byte-order mark is accepted with a warning, and can be silenced', () => {
    const text = '\uFEFF' + JSON.stringify(minimalFlow([footer]));
    expect(FlowJsonValidator.validateText(text)).toEqual({ errors: [], warnings: [expect.objectContaining({ code: 'UTF8_BOM', path: '$' })] });
    expect(FlowJsonValidator.validateText(text, { ignoreWarnings: ['UTF8_BOM'] })).toEqual({ errors: [], warnings: [] });
  });

  test('ignoreWarnings drops warnings only: errors stay', () => {
    const flow = minimalFlow([{ type: 'TextHeading', text: 'A heading that goes on for far longer than the eighty characters Meta documents for it' }, footer], '6.0');
    flow.screens[0].layout.children.push({ type: 'Nope' });
    const result = FlowJsonValidator.validate(flow, { ignoreWarnings: ['TEXT_TOO_LONG', 'VERSION_NOTICE', 'UNKNOWN_COMPONENT'] });
    expect(result.warnings).toEqual([]);
    expect(result.errors.map(e => e.code)).toEqual(['UNKNOWN_COMPONENT']);
  });

  test('unknown names come with the closest known one', () => {
    const flow = minimalFlow([
      { type: 'TextImput', name: 'email', label: 'Email' },
      { type: 'TextInput', name: 'email', lable: 'Email', label: 'Email' },
      { type: 'TextBody', text: '${form.emial}' },
      { ...footer, 'on-click-action': { name: 'compelte' } },
    ]);
    const messages = FlowJsonValidator.validate(flow).errors.map(e => `${e.code}: ${e.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^UNKNOWN_COMPONENT: .*Did you mean "TextInput"\?/),
      expect.stringMatching(/^UNKNOWN_PROPERTY: .*Did you mean "label"\?/),
      expect.stringMatching(/^UNKNOWN_FORM_REFERENCE: .*Did you mean "email"\?/),
      expect.stringMatching(/^UNKNOWN_ACTION: .*Did you mean "complete"\?/),
    ]));
  });

  test('a navigate target with a typo suggests the screen', () => {
    const flow = {
      version: '7.3',
      screens: [
        { id: 'START', title: 'Start', layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'SUMARY' } } }] } },
        { id: 'SUMMARY', title: 'Summary', terminal: true, layout: { type: 'SingleColumnLayout', children: [footer] } },
      ],
    };
    expect(FlowJsonValidator.validate(flow).errors[0]).toMatchObject({ code: 'NAVIGATE_UNKNOWN_SCREEN', message: expect.stringContaining('Did you mean "SUMMARY"?') });
  });

  test('navigate payload types: a TextInput may feed a number, a Dropdown may not feed a boolean', () => {
    const flow = (declared: string, component: any) => ({
      version: '7.3',
      screens: [
        { id: 'ASK', title: 'Ask', layout: { type: 'SingleColumnLayout', children: [component, { 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'SHOW' }, payload: { value: '${form.value}' } } }] } },
        { id: 'SHOW', title: 'Show', terminal: true, data: { value: { type: declared, __example__: declared === 'number' ? 1 : true } }, layout: { type: 'SingleColumnLayout', children: [footer] } },
      ],
    });
    expect(FlowJsonValidator.validate(flow('number', { 'type': 'TextInput', 'name': 'value', 'label': 'Age', 'input-type': 'number' })).errors).toEqual([]);
    const dropdown = { 'type': 'Dropdown', 'name': 'value', 'label': 'Pick', 'data-source': [{ id: 'a', title: 'A' }] };
    expect(FlowJsonValidator.validate(flow('boolean', dropdown)).errors.map(e => e.code)).toEqual(['NAVIGATE_PAYLOAD_TYPE_MISMATCH']);
  });

  test('update_data and open_url are version-gated in every action position', () => {
    const positions = [
      { 'type': 'Dropdown', 'name': 'a', 'label': 'A', 'data-source': [{ id: 'x', title: 'X' }], 'on-select-action': { name: 'update_data', payload: {} } },
      { 'type': 'RadioButtonsGroup', 'name': 'b', 'label': 'B', 'data-source': [{ 'id': 'x', 'title': 'X', 'on-unselect-action': { name: 'update_data', payload: {} } }] },
      { 'type': 'EmbeddedLink', 'text': 'Terms', 'on-click-action': { name: 'open_url', url: 'https://example.com' } },
      { 'type': 'OptIn', 'name': 'c', 'label': 'C', 'on-click-action': { name: 'open_url', url: 'https://example.com' } },
    ];
    const result = FlowJsonValidator.validate(minimalFlow([...positions, footer], '5.1'));
    expect(result.errors.filter(e => e.code === 'ACTION_NOT_IN_VERSION').map(e => e.path)).toEqual([
      "$.screens[0].layout.children[0]['on-select-action']",
      "$.screens[0].layout.children[1]['data-source'][0]['on-unselect-action']",
      "$.screens[0].layout.children[2]['on-click-action']",
      "$.screens[0].layout.children[3]['on-click-action']",
    ]);
  });

  test('label-variant is accepted from 7.0', () => {
    const input = { 'type': 'TextInput', 'name': 'a', 'label': 'A', 'label-variant': 'large' };
    expect(FlowJsonValidator.validate(minimalFlow([input, footer], '7.0')).errors).toEqual([]);
    expect(FlowJsonValidator.validate(minimalFlow([input, footer], '6.3')).errors.map(e => e.code)).toEqual(['PROPERTY_NOT_IN_VERSION']);
  });

  test('a dynamic Flow that moves only through data_exchange has one entry screen: the one no route leads to', () => {
    const exchange = { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'data_exchange', payload: {} } };
    const screen = (id: string, terminal = false) => ({ id, title: id, ...(terminal ? { terminal } : {}), layout: { type: 'SingleColumnLayout', children: [terminal ? footer : exchange] } });
    const flow = {
      version: '7.3',
      data_api_version: '4.0',
      routing_model: { B: ['C'], A: ['B'], C: [] },
      screens: [screen('C', true), screen('B'), screen('A')],
    };
    expect(FlowJsonValidator.validate(flow)).toEqual({ errors: [], warnings: [] });
  });

  test('a reference with an operator inside the braces is checked by its path only', () => {
    const flow = minimalFlow([{ type: 'TextBody', text: 'Oops', visible: '${data.error != ""}' }, footer]);
    flow.screens[0].data = { error: { type: 'string', __example__: 'x' } };
    expect(FlowJsonValidator.validate(flow).errors).toEqual([]);
    flow.screens[0].layout.children[0].visible = '${data.eror != ""}';
    expect(FlowJsonValidator.validate(flow).errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_DATA_REFERENCE', message: expect.stringContaining('Did you mean "error"?') })]);
  });

  test('a navigate payload need not carry the fields the next screen sets itself with update_data', () => {
    const flow = {
      version: '7.3',
      screens: [
        { id: 'START', title: 'Start', layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'PICK' }, payload: {} } }] } },
        {
          id: 'PICK',
          title: 'Pick',
          terminal: true,
          data: { show_more: { type: 'boolean', __example__: false } },
          layout: {
            type: 'SingleColumnLayout',
            children: [
              { 'type': 'OptIn', 'name': 'more', 'label': 'Show more', 'on-select-action': { name: 'update_data', payload: { show_more: true } } },
              { type: 'TextBody', text: 'More', visible: '${data.show_more}' },
              footer,
            ],
          },
        },
      ],
    };
    expect(FlowJsonValidator.validate(flow).errors).toEqual([]);
  });

  test('a blank line between markdown paragraphs is not blank text', () => {
    const flow = minimalFlow([{ type: 'TextBody', markdown: true, text: ['**Terms**', '', 'Read them.'] }, footer]);
    expect(FlowJsonValidator.validate(flow).errors).toEqual([]);
    expect(FlowJsonValidator.validate(minimalFlow([{ type: 'TextBody', text: ' ' }, footer])).errors.map(e => e.code)).toEqual(['EMPTY_TEXT']);
  });

  test('a Flow of an older Meta version fails on its version only; its own rules judge the rest', () => {
    // Meta's 2.1 and 3.1 samples (pywa tests/data/flows/2_1, WhatsApp-Flows-Tools articles/creating-surveys).
    const radio = { 'type': 'RadioButtonsGroup', 'name': 'source', 'data-source': [{ id: '0', title: 'Online' }] };
    const input = { 'type': 'TextInput', 'name': 'order', 'label': 'Order', 'helper-text': '' };
    const form = (version: string) => ({
      ...minimalFlow([{ type: 'Form', name: 'form', children: [radio, input, footer] }], version),
      data_channel_uri: 'https://example.com',
    });
    expect(FlowJsonValidator.validate(form('2.1')).errors.map(e => e.code)).toEqual(['UNSUPPORTED_VERSION']);
    // Raised to a publishable version, what changed since then is an error.
    expect(FlowJsonValidator.validate(form('7.3')).errors.map(e => e.code).sort()).toEqual(['DATA_CHANNEL_URI_UNSUPPORTED', 'EMPTY_TEXT', 'MISSING_PROPERTY']);
  });

  test('keys Meta\'s own schema has: a top-level "meta" and a "required" list in a screen\'s data', () => {
    const flow = { ...minimalFlow([{ type: 'TextBody', text: '${data.name}' }, footer]), meta: { lead_gen_ai: true } };
    flow.screens[0].data = { name: { type: 'string', __example__: 'Ana' }, required: ['name'] };
    expect(FlowJsonValidator.validate(flow)).toEqual({ errors: [], warnings: [] });
  });

  test('a blank image src is not blank text: Meta\'s schema gives base64 properties no "not blank" pattern', () => {
    const image = { 'type': 'Image', 'src': '', 'alt-text': 'Logo' };
    expect(FlowJsonValidator.validate(minimalFlow([image, footer])).errors).toEqual([]);
    expect(FlowJsonValidator.validate(minimalFlow([{ ...image, 'alt-text': ' ' }, footer])).errors.map(e => e.code)).toEqual(['EMPTY_TEXT']);
  });

  test('an "Edit" link back to an earlier screen of a Flow without an endpoint warns; in a routing model it is an error', () => {
    const go = (next: string) => ({ name: 'navigate', next: { type: 'screen', name: next }, payload: {} });
    const flow: any = {
      version: '7.3',
      screens: [
        { id: 'START', title: 'Start', layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Next', 'on-click-action': go('FORM') }] } },
        { id: 'FORM', title: 'Form', layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Review', 'on-click-action': go('REVIEW') }] } },
        {
          id: 'REVIEW',
          title: 'Review',
          terminal: true,
          layout: { type: 'SingleColumnLayout', children: [{ 'type': 'EmbeddedLink', 'text': 'Edit', 'on-click-action': go('FORM') }, footer] },
        },
      ],
    };
    const result = FlowJsonValidator.validate(flow);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(w => w.code)).toContain('NAVIGATE_LOOP');
    flow.routing_model = { START: ['FORM'], FORM: ['REVIEW'], REVIEW: ['FORM'] };
    expect(FlowJsonValidator.validate(flow).errors.map(e => e.code)).toContain('NAVIGATION_CYCLE');
  });

  test('an If branch or Switch case may hold a PhotoPicker, a DocumentPicker or a CalendarPicker (Meta\'s schema)', () => {
    const flow: any = minimalFlow([
      { type: 'If', condition: '${data.proof}', then: [{ type: 'PhotoPicker', name: 'photo', label: 'Photo' }], else: [{ type: 'CalendarPicker', name: 'day', label: 'Day' }] },
      { type: 'Switch', value: '${data.kind}', cases: { doc: [{ type: 'TextInput', name: 'note', label: 'Note' }] } },
      footer,
    ]);
    flow.screens[0].data = { proof: { type: 'boolean', __example__: true }, kind: { type: 'string', __example__: 'doc' } };
    expect(FlowJsonValidator.validate(flow).errors).toEqual([]);
    flow.screens[0].layout.children[1].cases.doc = [{ type: 'DocumentPicker', name: 'doc', label: 'Document' }];
    flow.screens[0].layout.children[0].then = [{ type: 'TextBody', text: 'Add the document' }];
    expect(FlowJsonValidator.validate(flow).errors).toEqual([]);
  });

  test('a select action needs a payload; a click action may leave it out (Meta\'s action schema)', () => {
    const dropdown = (action: any) => ({ 'type': 'Dropdown', 'name': 'pick', 'label': 'Pick', 'data-source': [{ id: 'a', title: 'A' }], 'on-select-action': action });
    const flow = (action: any) => ({ ...minimalFlow([dropdown(action), footer]), data_api_version: '3.0', routing_model: { ONLY: [] } });
    expect(FlowJsonValidator.validate(flow({ name: 'data_exchange', payload: {} })).errors).toEqual([]);
    expect(FlowJsonValidator.validate(flow({ name: 'data_exchange' })).errors.map(e => e.code)).toEqual(['MISSING_PROPERTY']);
    const noPayloadFooter = { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete' } };
    expect(FlowJsonValidator.validate(minimalFlow([noPayloadFooter])).errors).toEqual([]);
  });

  test('a Switch case key starts with a letter (Meta\'s schema for "cases")', () => {
    const flow = (key: string): any => {
      const f: any = minimalFlow([{ type: 'Switch', value: '${data.kind}', cases: { [key]: [{ type: 'TextBody', text: 'Hi' }] } }, footer]);
      f.screens[0].data = { kind: { type: 'string', __example__: 'a' } };
      return f;
    };
    expect(FlowJsonValidator.validate(flow('option-1_b')).errors).toEqual([]);
    expect(FlowJsonValidator.validate(flow('1')).errors.map(e => [e.code, e.path])).toEqual([['INVALID_PROPERTY_VALUE', '$.screens[0].layout.children[0].cases[\'1\']']]);
  });
});
