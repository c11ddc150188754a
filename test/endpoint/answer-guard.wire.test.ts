/**
 * The answer guard in the shipped endpoint bundle, on the wire: requests encrypted as Meta encrypts them, the
 * user's function played by the stand-in, the contract in the environment exactly as WhatsAppFlowEndpoint
 * synthesizes it. Meta's own answers pass silently; each wrong answer is counted (AnswerContractViolations) with its
 * rule and screen, never its data, and still reaches Meta unchanged.
 */
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { decryptAnswer, metaRequest } from './meta';
import { AwsStandIn } from './wire/aws-stand-in';
import { EndpointSandbox, functionUrlEvent } from './wire/sandbox';
import { EndpointEnv } from '../../src/endpoint/contract';
import { encodeContracts } from '../../src/endpoint/runtime/answer-guard';
import { ANSWER_RULES } from '../../src/validator/answer-check';
import { summarizeFlow } from '../../src/validator/answer-summary';
import { EXCHANGES, FLOW_TEXT } from '../validator/answers/meta-book-appointment';
import { isWarning, WRONG_ANSWERS } from '../validator/answers/wrong-answers';

jest.setTimeout(60_000);

const HANDLER_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:booking-logic';
/** Customer data in the answers: none of it may reach a log line. */
const CUSTOMER = ['John Doe', 'john@example.com', '123456789', 'skin care'];

let keys: { publicKey: KeyObject; privateKey: KeyObject };
let standIn: AwsStandIn;
let guarded: EndpointSandbox;
let unguarded: EndpointSandbox;

beforeAll(async () => {
  keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  standIn = new AwsStandIn(keys.privateKey);
  const url = await standIn.start();
  const env = { [EndpointEnv.KMS_KEY_ID]: standIn.keyArn, [EndpointEnv.HANDLER_FUNCTION]: HANDLER_ARN, [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1000' };
  const contract = encodeContracts({ v: 1, f: [summarizeFlow(JSON.parse(FLOW_TEXT))!] });
  guarded = new EndpointSandbox(url, { ...env, [EndpointEnv.ANSWER_CONTRACT]: contract });
  unguarded = new EndpointSandbox(url, env);
  await Promise.all([guarded.start(), unguarded.start()]);
});

afterAll(async () => {
  await Promise.all([guarded.stop(), unguarded.stop()]);
  await standIn.stop();
});

beforeEach(() => standIn.reset());

async function exchange(sandbox: EndpointSandbox, request: unknown, answer: unknown) {
  standIn.userFunction = () => ({ payload: answer });
  const meta = metaRequest(keys.publicKey, request);
  const outcome = await sandbox.invoke(functionUrlEvent(meta.body));
  expect(outcome.error).toBeUndefined();
  const text = outcome.logs.join('\n');
  for (const value of CUSTOMER) expect(text).not.toContain(value);
  const result = outcome.result!;
  const decrypted = result.statusCode === 200 ? decryptAnswer(meta, result.body) : undefined;
  return { status: result.statusCode, answer: decrypted, records: outcome.logs.map((l) => JSON.parse(l)) };
}

test.each(EXCHANGES.map((e) => [e.name, e] as const))('Meta\'s answer passes silently: %s', async (_name, { request, answer }) => {
  const result = await exchange(guarded, request, answer);
  expect(result).toEqual({ status: 200, answer, records: [] });
});

test('every rule is exercised through the bundle', () => {
  expect(new Set(WRONG_ANSWERS.map((w) => w.code))).toEqual(new Set(Object.keys(ANSWER_RULES)));
});

test.each(WRONG_ANSWERS.map((w) => [w.code, w.why, w] as const))('%s (%s): the answer goes unchanged; an error is counted with its rule', async (code, _why, wrong) => {
  const result = await exchange(guarded, wrong.request, wrong.answer);
  // ANSWER_NOT_AN_OBJECT is the endpoint's own HandlerErrors case: the function's answer is not a response at all.
  if (code === 'ANSWER_NOT_AN_OBJECT') {
    expect(result.records.map((r) => Object.keys(r).find((k) => k.endsWith('Errors')))).toEqual(['HandlerErrors']);
    return;
  }
  expect(result.status).toBe(200);
  expect(result.answer).toEqual(wrong.answer);
  if (isWarning(code)) {
    expect(result.records).toEqual([]);
    return;
  }
  expect(result.records).toHaveLength(1);
  const [record] = result.records;
  expect(record).toMatchObject({
    AnswerContractViolations: 1,
    status: 200,
    action: wrong.request.action,
    rule: code,
    reason: expect.stringContaining(`${code} at ${wrong.path}`),
    _aws: { CloudWatchMetrics: [{ Namespace: 'cdk-whatsapp-flows/FlowEndpoint', Metrics: [{ Name: 'AnswerContractViolations', Unit: 'Count' }] }] },
  });
  if (wrong.request.screen) expect(record.screen).toBe(wrong.request.screen);
});

test('a made-up screen name in the answer is not logged; only screens of the Flow JSON are', async () => {
  const { records } = await exchange(guarded, EXCHANGES[2].request, { screen: 'John Doe', data: {} });
  expect(records[0]).toMatchObject({ rule: 'ANSWER_UNKNOWN_SCREEN', screen: 'DETAILS' });
  expect(records[0].reason).not.toContain('answering with');
  const wrongData = await exchange(guarded, EXCHANGES[2].request, { screen: 'SUMMARY', data: {} });
  expect(wrongData.records[0].reason).toMatch(/^the handler's answer breaks the Flow JSON's contract answering with screen SUMMARY: ANSWER_DATA_MISSING_FIELD at \$\.data\.appointment, .* and 7 more; it was sent unchanged$/);
});

test('without a contract (checkAnswers: false) nothing is checked', async () => {
  const wrong = WRONG_ANSWERS.find((w) => w.code === 'ANSWER_DATA_TYPE_MISMATCH')!;
  const result = await exchange(unguarded, wrong.request, wrong.answer);
  expect(result).toEqual({ status: 200, answer: wrong.answer, records: [] });
});
