import { EXCHANGES, FLOW_TEXT, FLOW_TOKEN, SNIPPETS } from './answers/meta-book-appointment';
import { isWarning, WRONG_ANSWERS } from './answers/wrong-answers';
import { FlowAnswerContract } from '../../src';
import { ANSWER_RULES, judgeAnswer } from '../../src/validator/answer-check';
import { summarizeFlow } from '../../src/validator/answer-summary';

const contract = FlowAnswerContract.fromFlowJsonText(FLOW_TEXT);
const requestOf = (r: { action: string; screen?: string; flow_token?: string }) => ({ action: r.action, screen: r.screen, flowToken: r.flow_token });

describe('Meta\'s own answers pass', () => {
  test.each(EXCHANGES.map((e) => [e.name, e] as const))('%s', (_name, exchange) => {
    const result = contract.check(exchange.answer, requestOf(exchange.request));
    expect(result).toEqual({ valid: true, errors: [], warnings: [], screen: exchange.answer.screen });
  });

  test('the Flow Builder\'s snippets: TERMS from SUMMARY, SUCCESS without a request token to compare', () => {
    expect(contract.check(SNIPPETS.TERMS, { action: 'data_exchange', screen: 'SUMMARY' }).valid).toBe(true);
    expect(contract.check(SNIPPETS.SUCCESS, { action: 'data_exchange', screen: 'SUMMARY' })).toMatchObject({ valid: true, warnings: [] });
  });

  test('an error_message alone keeps the current screen and its data', () => {
    const result = contract.check({ screen: 'DETAILS', data: { error_message: 'That slot was just taken.' } }, { action: 'data_exchange', screen: 'DETAILS' });
    expect(result).toMatchObject({ valid: true, warnings: [] });
  });
});

describe('one wrong answer per rule', () => {
  test('every rule has a wrong answer', () => {
    expect(new Set(WRONG_ANSWERS.map((w) => w.code))).toEqual(new Set(Object.keys(ANSWER_RULES)));
  });

  test.each(WRONG_ANSWERS.map((w) => [w.code, w.why, w] as const))('%s: %s', (code, _why, wrong) => {
    const result = contract.check(wrong.answer, requestOf(wrong.request));
    const problems = isWarning(code) ? result.warnings : result.errors;
    expect(result.valid).toBe(isWarning(code));
    expect(problems[0]).toMatchObject({ code, severity: isWarning(code) ? 'warning' : 'error', path: wrong.path, message: expect.any(String) });
  });
});

describe('what each rule says', () => {
  test('a typo of a screen gets a suggestion', () => {
    const [problem] = contract.check({ screen: 'SUMARY', data: {} }, { action: 'data_exchange', screen: 'DETAILS' }).errors;
    expect(problem).toMatchObject({ suggestion: 'SUMMARY', message: expect.stringContaining('Did you mean "SUMMARY"?') });
  });

  test('a typo of a field: missing (error) and unknown (warning, with the declared name)', () => {
    const { time, ...rest } = EXCHANGES[0].answer.data;
    const result = contract.check({ screen: 'APPOINTMENT', data: { ...rest, tme: time } }, { action: 'INIT' });
    expect(result.errors).toEqual([expect.objectContaining({ code: 'ANSWER_DATA_MISSING_FIELD', path: '$.data.time', message: expect.stringContaining('"tme": a typo?') })]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'ANSWER_DATA_UNKNOWN_FIELD', path: '$.data.tme', suggestion: 'time' })]);
  });

  test('array items are checked against "items": a Dropdown item without a title, a title that is a number', () => {
    const answer = { screen: 'APPOINTMENT', data: { ...EXCHANGES[0].answer.data, time: [{ id: '10:30' }, { id: '11:00', title: 1100 }] } };
    expect(contract.check(answer, { action: 'INIT' }).errors.map((e) => [e.code, e.path])).toEqual([
      ['ANSWER_DATA_MISSING_FIELD', '$.data.time[0].title'],
      ['ANSWER_DATA_TYPE_MISMATCH', '$.data.time[1].title'],
    ]);
  });

  test('messages name kinds of values, never the values (they are customer data)', () => {
    const result = contract.check({ screen: 'SUMMARY', data: { ...EXCHANGES[2].answer.data, name: ['Jane Customer'] } }, { action: 'data_exchange', screen: 'DETAILS' });
    expect(result.errors[0].message).toBe('"name" is declared as a string, but the answer gives an array.');
    expect(JSON.stringify(result)).not.toContain('Jane');
  });

  test('INIT opens the entry screen only; SUCCESS answers a data_exchange only; BACK returns to a screen before', () => {
    expect(contract.check(EXCHANGES[2].answer, { action: 'INIT' }).errors[0]).toMatchObject({ code: 'ANSWER_SCREEN_NOT_ALLOWED', suggestion: 'APPOINTMENT' });
    expect(contract.check(EXCHANGES[3].answer, { action: 'INIT' }).errors[0].code).toBe('ANSWER_SCREEN_NOT_ALLOWED');
    expect(contract.check(EXCHANGES[0].answer, { action: 'BACK', screen: 'SUMMARY' }).valid).toBe(true);
    expect(contract.check(SNIPPETS.TERMS, { action: 'BACK', screen: 'SUMMARY' }).errors[0].code).toBe('ANSWER_SCREEN_NOT_ALLOWED');
    expect(contract.check(SNIPPETS.TERMS, { action: 'BACK' }).valid).toBe(true);
  });

  test('error_message on SUCCESS, or not a string', () => {
    const success = { screen: 'SUCCESS', data: { error_message: 'x', extension_message_response: { params: { flow_token: FLOW_TOKEN } } } };
    expect(contract.check(success, { action: 'data_exchange', screen: 'SUMMARY' }).errors.map((e) => e.code)).toEqual(['ANSWER_ERROR_MESSAGE_NOT_ALLOWED']);
    expect(contract.check({ screen: 'DETAILS', data: { error_message: { text: 'x' } } }, { action: 'data_exchange', screen: 'DETAILS' }).errors[0].code)
      .toBe('ANSWER_ERROR_MESSAGE_NOT_ALLOWED');
  });

  test('numbers, integers, objects and schemas without a type', () => {
    const flow = {
      version: '7.3',
      data_api_version: '3.0',
      routing_model: {},
      screens: [{
        id: 'ONE',
        terminal: true,
        title: 'One',
        data: {
          count: { type: 'integer', __example__: 1 },
          price: { type: 'number', __example__: 1.5 },
          card: { type: 'object', properties: { label: { type: 'string' }, code: { type: 'string' } }, required: ['code'], __example__: { code: 'a' } },
          free: { __example__: 'anything' },
        },
        layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'data_exchange', payload: {} } }] },
      }],
    };
    const one = FlowAnswerContract.fromFlowJson(flow);
    expect(one.screenIds).toEqual(['ONE']);
    const ok = { screen: 'ONE', data: { count: 2, price: 3, card: { code: 'b' }, free: [1] } };
    expect(one.check(ok, { action: 'data_exchange', screen: 'ONE' }).valid).toBe(true);
    const wrong = { screen: 'ONE', data: { count: 2.5, price: '3', card: { label: 'b' }, free: null } };
    expect(one.check(wrong, { action: 'data_exchange', screen: 'ONE' }).errors.map((e) => [e.code, e.path])).toEqual([
      ['ANSWER_DATA_TYPE_MISMATCH', '$.data.count'],
      ['ANSWER_DATA_TYPE_MISMATCH', '$.data.price'],
      ['ANSWER_DATA_MISSING_FIELD', '$.data.card.code'],
    ]);
  });

  test('a Flow JSON without screens, or not JSON, has no contract', () => {
    expect(() => FlowAnswerContract.fromFlowJson({ version: '7.3', screens: [] })).toThrow(/no screens/);
    expect(() => FlowAnswerContract.fromFlowJsonText('{')).toThrow(/not valid JSON/);
  });
});

describe('several Flows behind one endpoint', () => {
  const flowA = summarizeFlow(JSON.parse(FLOW_TEXT))!;
  // A second Flow whose DETAILS screen goes to CONFIRM and declares other data.
  const flowB = { s: { DETAILS: { d: { note: { t: 'string' } }, r: ['CONFIRM'] }, CONFIRM: { d: { ok: { t: 'boolean' } }, r: [] } }, e: ['DETAILS'] };

  test('an answer that fits one candidate Flow passes', () => {
    expect(judgeAnswer([flowA, flowB], { action: 'data_exchange', screen: 'DETAILS' }, { screen: 'CONFIRM', data: { ok: true } }).findings).toEqual([]);
    expect(judgeAnswer([flowA, flowB], { action: 'data_exchange', screen: 'DETAILS' }, EXCHANGES[2].answer).findings).toEqual([]);
  });

  test('an answer that fits none is judged against the closest', () => {
    const verdict = judgeAnswer([flowA, flowB], { action: 'data_exchange', screen: 'DETAILS' }, { screen: 'CONFIRM', data: { ok: 'yes' } });
    expect(verdict.findings.map((f) => f.code)).toEqual(['ANSWER_DATA_TYPE_MISMATCH']);
    expect(verdict.screen).toBe('CONFIRM');
  });
});
