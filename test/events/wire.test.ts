/**
 * The shipped events function, on the wire: the real bundled `@aws-sdk/client-eventbridge` talks to a local
 * EventBridge stand-in on 127.0.0.1; Lambda's asynchronous invocation (retries, then the dead-letter queue) is
 * played with the settings of the synthesized construct.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AWS_EXPIRY_WARNING, AWS_FLOW_RESPONSE_VALUE, AWS_STATUS_CHANGE, BSUID, bsuidFlowResponseValue, DELIVERED_STATUS_VALUE, entry, envelope,
  META_EXPIRY_WARNING, META_STATUS_CHANGE_VALUE, metaFlowResponseValue, PARENT_BSUID, PHONE_NUMBER_ARN, snsEvent, TEXT_MESSAGE_VALUE,
  USERNAME, WABA_ARN,
} from './payloads';
import { EventBridgeStandIn, MAX_BYTES, MAX_ENTRIES, WireEntry } from './wire/eventbridge';
import { AsyncConfig, asyncConfigOf, AsyncInvoker } from './wire/lambda-async';
import { BUS_ARN, FlowEventsFunctionSandbox, FUNCTION_NAME } from './wire/sandbox';
import { WhatsAppFlowEvents } from '../../src';

jest.setTimeout(60_000);

/** Values that are customer data in the payloads: none may reach a log line. */
const CUSTOMER_DATA = ['14085551234', '16315551234', 'John Doe', 'john@example.com', 'booking-', 'wamid.', '<value1>', 'Kerry Fisher',
  BSUID, PARENT_BSUID, USERNAME];

let standIn: EventBridgeStandIn;
let fn: FlowEventsFunctionSandbox;
let asyncConfig: AsyncConfig;

beforeAll(async () => {
  standIn = new EventBridgeStandIn();
  fn = new FlowEventsFunctionSandbox(await standIn.start());
  await fn.start();
  const stack = new Stack(new App(), 'WireStack', { env: { account: '111111111111', region: 'us-east-1' } });
  new WhatsAppFlowEvents(stack, 'FlowEvents', { topic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:111111111111:waba-events') });
  asyncConfig = asyncConfigOf(Template.fromStack(stack).toJSON());
});

afterAll(async () => {
  await fn.stop();
  await standIn.stop();
});

beforeEach(() => standIn.reset());

const details = (entries: WireEntry[]) => entries.map((e) => JSON.parse(e.Detail));
/** The function's one report line (embedded metric format). */
const reportOf = (logs: string[]) => JSON.parse(logs.find((l) => l.includes('"_aws"'))!);

function expectNoCustomerData(logs: string[], error?: string): void {
  const text = [...logs, error ?? ''].join('\n');
  for (const value of CUSTOMER_DATA) expect(text).not.toContain(value);
}

/** A response with a unique flow token and message id, and an answer of `answerBytes` characters. */
function response(n: number, answerBytes = 20): string {
  const value = metaFlowResponseValue(`booking-${n}`, JSON.stringify({ flow_token: `booking-${n}`, answer: 'x'.repeat(answerBytes) }));
  value.messages[0].id = `wamid.${n}`;
  return envelope(entry('messages', value));
}

describe('a recorded SNS message of each kind becomes the right event', () => {
  test('responses (string and object response_json), status changes, expiry warnings; other events ignored', async () => {
    const event = snsEvent([
      envelope(entry('messages', AWS_FLOW_RESPONSE_VALUE)),
      envelope(entry('messages', metaFlowResponseValue('booking-7', { flow_token: 'booking-7', date: '2026-12-24' }))),
      envelope(AWS_STATUS_CHANGE),
      envelope(entry('flows', META_STATUS_CHANGE_VALUE)),
      envelope(AWS_EXPIRY_WARNING),
      envelope(META_EXPIRY_WARNING, { entryAsObject: true }),
      envelope(entry('messages', TEXT_MESSAGE_VALUE)),
      envelope(entry('messages', DELIVERED_STATUS_VALUE)),
    ]);
    const outcome = await fn.invoke(event);
    expect(outcome.error).toBeUndefined();

    expect(standIn.calls.map((c) => [c.target, c.contentType, c.entries.length, c.status])).toEqual([['AWSEvents.PutEvents', 'application/x-amz-json-1.1', 6, 200]]);
    const entries = standIn.accepted;
    expect(entries.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      ['cdk-whatsapp-flows', 'WhatsApp Flow Response', BUS_ARN],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Response', BUS_ARN],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Status Change', BUS_ARN],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Status Change', BUS_ARN],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Version Expiry Warning', BUS_ARN],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Version Expiry Warning', BUS_ARN],
    ]);
    expect(details(entries)[0]).toEqual({
      responseJson: { name: 'John Doe', email: 'john@example.com', phone: '+14085551234' },
      from: '14085551234',
      messageId: 'wamid.XXX',
      wabaId: '1234567890abcde',
      phoneNumberId: 'abcde1234567890',
      timestamp: '2009-02-13T23:31:30.000Z',
    });
    expect(details(entries)[1]).toMatchObject({ flowToken: 'booking-7', responseJson: { flow_token: 'booking-7', date: '2026-12-24' }, contextMessageId: 'gBGGEiRVVgBPAgm7FUgc73noXjo' });
    expect(details(entries)[2]).toEqual({
      flowId: '{FLOW_ID}',
      oldStatus: 'PUBLISHED',
      newStatus: 'BLOCKED',
      reason: 'Policy violation detected',
      wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
      timestamp: '2025-01-08T23:30:43.271Z',
    });
    expect(details(entries)[5]).toMatchObject({ flowId: '6627390910605886', timestamp: '2023-05-24T23:02:20.000Z' });
    // Resources: the AWS ARNs from the envelope; Time: the event's own time, in epoch seconds on the wire.
    expect(entries[0].Resources).toEqual([WABA_ARN, PHONE_NUMBER_ARN]);
    expect(entries[2].Resources).toEqual([WABA_ARN]);
    expect(entries[0].Time).toBe(1234567890);

    expect(outcome.result).toMatchObject({
      records: 8,
      published: { 'WhatsApp Flow Response': 2, 'WhatsApp Flow Status Change': 2, 'WhatsApp Flow Version Expiry Warning': 2 },
      ignored: { 'messages/text': 1, 'statuses/delivered': 1 },
      rejected: [],
      putEventsCalls: 1,
    });
    // One log line: counts by type, as CloudWatch metrics too; never the responses.
    expect(outcome.logs).toHaveLength(1);
    const report = reportOf(outcome.logs);
    expect(report).toMatchObject({
      FunctionName: FUNCTION_NAME,
      FlowResponses: 2,
      FlowStatusChanges: 2,
      FlowVersionExpiryWarnings: 2,
      IgnoredEvents: 2,
      MalformedMessages: 0,
      FailedEvents: 0,
      ignoredByKind: { 'messages/text': 1, 'statuses/delivered': 1 },
    });
    expect(report._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'cdk-whatsapp-flows/FlowEvents', Dimensions: [['FunctionName']] });
    expectNoCustomerData(outcome.logs);
  });
});

describe('batching', () => {
  test('100 mixed records: calls of at most 10 entries, every event once, in order', async () => {
    const messages = Array.from({ length: 100 }, (_, i) => [
      response(i),
      envelope(entry('flows', { ...META_STATUS_CHANGE_VALUE, flow_id: `flow-${i}` })),
      envelope(entry('messages', TEXT_MESSAGE_VALUE)),
      envelope(AWS_EXPIRY_WARNING),
    ][i % 4]);
    const outcome = await fn.invoke(snsEvent(messages));
    expect(outcome.error).toBeUndefined();
    expect(standIn.accepted).toHaveLength(75);
    expect(standIn.calls).toHaveLength(8);
    expect(standIn.calls.every((c) => c.status === 200 && c.entries.length <= MAX_ENTRIES && c.bytes <= MAX_BYTES)).toBe(true);
    const responses = details(standIn.accepted).filter((d) => d.flowToken).map((d) => d.flowToken);
    expect(responses).toEqual(Array.from({ length: 25 }, (_, k) => `booking-${k * 4}`));
    expect(reportOf(outcome.logs)).toMatchObject({ FlowResponses: 25, FlowStatusChanges: 25, FlowVersionExpiryWarnings: 25, IgnoredEvents: 25 });
  });

  test('large events: calls are cut at 256 KB, however few entries that leaves', async () => {
    // Each event is about 100 KB: two fit in one call, three do not.
    const outcome = await fn.invoke(snsEvent(Array.from({ length: 7 }, (_, i) => response(i, 100 * 1024))));
    expect(outcome.error).toBeUndefined();
    expect(standIn.calls.map((c) => c.entries.length)).toEqual([2, 2, 2, 1]);
    expect(standIn.calls.every((c) => c.status === 200 && c.bytes <= MAX_BYTES)).toBe(true);
    expect(details(standIn.accepted).map((d) => d.flowToken)).toEqual(Array.from({ length: 7 }, (_, i) => `booking-${i}`));
  });
});

describe('partial failures are retried', () => {
  test('throttled and internally failed entries are sent again until EventBridge takes them, each once', async () => {
    standIn.entryFault = (e, attempt) => {
      const n = Number(JSON.parse(e.Detail).flowToken?.split('-')[1] ?? 0);
      if (n % 3 === 0 && attempt === 1) return 'ThrottlingException';
      if (n % 5 === 0 && attempt <= 2) return 'InternalFailure';
      return undefined;
    };
    const outcome = await fn.invoke(snsEvent(Array.from({ length: 30 }, (_, i) => response(i))));
    expect(outcome.error).toBeUndefined();
    const tokens = details(standIn.accepted).map((d) => d.flowToken).sort();
    expect(tokens).toEqual(Array.from({ length: 30 }, (_, i) => `booking-${i}`).sort());
    expect(standIn.calls.some((c) => c.failedEntryCount > 0)).toBe(true);
    // Only the failed entries are sent again.
    const sent = standIn.calls.reduce((sum, c) => sum + c.entries.length, 0);
    const failedFirst = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 === 0 || i % 5 === 0).length;
    const failedSecond = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 5 === 0).length;
    expect(sent).toBe(30 + failedFirst + failedSecond);
    expect(outcome.result.putEventsCalls).toBe(standIn.calls.length);
  });

  test('a call that fails as a whole (HTTP 500) is retried', async () => {
    standIn.callFault = (n) => (n <= 2 ? { status: 500, type: 'InternalException' } : undefined);
    const outcome = await fn.invoke(snsEvent([response(1), response(2)]));
    expect(outcome.error).toBeUndefined();
    expect(standIn.calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(standIn.accepted).toHaveLength(2);
  });

  test('entries refused for good fail the invocation after the rest is published; Lambda retries, then the DLQ holds the event', async () => {
    standIn.entryFault = (e) => (JSON.parse(e.Detail).flowToken === 'booking-1' ? 'AccessDeniedException' : undefined);
    const invoker = new AsyncInvoker(fn, asyncConfig);
    const event = snsEvent([response(0), response(1), response(2)]);
    const attempts = await invoker.deliver(event);
    expect(attempts).toHaveLength(1 + asyncConfig.maximumRetryAttempts);
    // The reason names the SNS message whose event was refused, as the README promises.
    expect(attempts[0].error).toBe(`EventBridge did not take 1 of 3 events (AccessDeniedException x1) of SNS messages ${event.Records[1].Sns.MessageId}`);
    // A refusal for good is not retried inside the invocation.
    expect(standIn.calls[0].entries).toHaveLength(3);
    expect(standIn.calls).toHaveLength(attempts.length);
    expect(reportOf(attempts[0].logs)).toMatchObject({ FlowResponses: 2, FailedEvents: 1, failedByCode: { AccessDeniedException: 1 } });
    expect(invoker.deadLetters).toEqual([{
      queue: asyncConfig.deadLetterQueue,
      body: JSON.stringify(event),
      attributes: expect.objectContaining({ ErrorMessage: attempts[0].error }),
    }]);
    expectNoCustomerData(attempts.flatMap((a) => a.logs), attempts[0].error);
  });
});

describe('messages that cannot be published land whole in the dead-letter queue; the rest is published', () => {
  test('malformed input: not JSON, a JSON string that is not JSON, missing fields', async () => {
    const notJson = 'not json at all';
    const cutEntry = '{"id": "123", "changes": [';
    const cutResponse = '{"flow_token": "booking-9", "name": "Kerry Fisher';
    const event = snsEvent([
      response(0),
      notJson,
      JSON.stringify({ whatsAppWebhookEntry: cutEntry }),
      envelope(entry('flows', { event: 'FLOW_STATUS_CHANGE', flow_id: '1' })),
      envelope(entry('messages', metaFlowResponseValue('booking-9', cutResponse))),
      envelope(AWS_STATUS_CHANGE),
    ]);
    const invoker = new AsyncInvoker(fn, asyncConfig);
    const attempts = await invoker.deliver(event);

    const ids = event.Records.map((r) => r.Sns.MessageId);
    expect(attempts[0].errorType).toBe('FlowEventsError');
    expect(attempts[0].error).toBe(`4 of 6 SNS messages could not be published: ${ids[1]}: the SNS message is not valid JSON (${notJson.length} characters); `
      + `${ids[2]}: whatsAppWebhookEntry is not valid JSON (${cutEntry.length} characters); `
      + `${ids[3]}: entry 0, change 0 (flows): 'new_status' is missing; `
      + `${ids[4]}: entry 0, change 0 (messages), message 0: response_json is not valid JSON (${cutResponse.length} characters)`);
    // The good messages were published on every attempt (at least once), the bad ones never.
    expect(details(standIn.accepted.slice(0, 2))).toEqual([
      expect.objectContaining({ flowToken: 'booking-0' }),
      expect.objectContaining({ newStatus: 'BLOCKED' }),
    ]);
    expect(standIn.accepted).toHaveLength(2 * attempts.length);
    expect(reportOf(attempts[0].logs)).toMatchObject({ MalformedMessages: 4, FlowResponses: 1, FlowStatusChanges: 1 });
    // After Lambda's retries the whole event, with every message, is in the dead-letter queue with the reason.
    expect(invoker.deadLetters).toHaveLength(1);
    expect(JSON.parse(invoker.deadLetters[0].body)).toEqual(event);
    expect(invoker.deadLetters[0].attributes.ErrorMessage).toBe(attempts[attempts.length - 1].error);
    expectNoCustomerData(attempts.flatMap((a) => a.logs), attempts[0].error);
  });

  test('an event over 256 KB: its message is rejected whole with the reason; the others are published', async () => {
    const event = snsEvent([response(0), response(1, 260 * 1024), response(2)]);
    const outcome = await fn.invoke(event);
    expect(outcome.error).toMatch(new RegExp(`^1 of 3 SNS messages could not be published: ${event.Records[1].Sns.MessageId}: `
      + 'event 0 \\(WhatsApp Flow Response\\) is \\d+ bytes, over EventBridge\'s limit of 262144 bytes$'));
    expect(details(standIn.accepted).map((d) => d.flowToken)).toEqual(['booking-0', 'booking-2']);
    expect(standIn.calls.every((c) => c.status === 200)).toBe(true);
    expectNoCustomerData(outcome.logs, outcome.error);
  });

  test('a good message after retries succeeds at once: nothing goes to the DLQ', async () => {
    const invoker = new AsyncInvoker(fn, asyncConfig);
    const attempts = await invoker.deliver(snsEvent([envelope(AWS_EXPIRY_WARNING)]));
    expect(attempts.map((a) => a.error)).toEqual([undefined]);
    expect(invoker.deadLetters).toEqual([]);
  });
});

describe('users who adopted a username: responses with and without a phone number', () => {
  test('a response with the BSUID alone becomes an event keyed by the BSUID, with the parent BSUID and the username', async () => {
    const outcome = await fn.invoke(snsEvent([envelope(entry('messages', bsuidFlowResponseValue('booking-u1')))]));
    expect(outcome.error).toBeUndefined();
    const [detail] = details(standIn.accepted);
    expect(detail).toMatchObject({ flowToken: 'booking-u1', userId: BSUID, parentUserId: PARENT_BSUID, username: USERNAME });
    expect(detail).not.toHaveProperty('from');
    expect(reportOf(outcome.logs)).toMatchObject({ FlowResponses: 1, MalformedMessages: 0 });
    expectNoCustomerData(outcome.logs);
  });

  test('a response with both: the phone number and the BSUID', async () => {
    const outcome = await fn.invoke(snsEvent([envelope(entry('messages', bsuidFlowResponseValue('booking-u2', { withPhone: true })))]));
    expect(outcome.error).toBeUndefined();
    expect(details(standIn.accepted)[0]).toMatchObject({ from: '16315551234', userId: BSUID, parentUserId: PARENT_BSUID, username: USERNAME });
  });

  test('a mixed batch (phone only, BSUID only, both) is published whole, in order; onResponse\'s flow token filter still matches', async () => {
    const event = snsEvent([
      response(1),
      envelope(entry('messages', bsuidFlowResponseValue('booking-2', { messageId: 'wamid.2' }))),
      envelope(entry('messages', bsuidFlowResponseValue('booking-3', { withPhone: true, messageId: 'wamid.3' }))),
      envelope(entry('messages', TEXT_MESSAGE_VALUE)),
    ]);
    const outcome = await fn.invoke(event);
    expect(outcome.error).toBeUndefined();
    const ds = details(standIn.accepted);
    expect(ds.map((d) => [d.flowToken, d.from, d.userId])).toEqual([
      ['booking-1', '16315551234', undefined],
      ['booking-2', undefined, BSUID],
      ['booking-3', '16315551234', BSUID],
    ]);
    // The rule onResponse makes still matches every shape: it filters on the flow token only.
    const stack = new Stack(new App(), 'RuleStack');
    const rule = new WhatsAppFlowEvents(stack, 'E', { topic: sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:us-east-1:111111111111:t') })
      .onResponse('R', { flowTokenPrefix: 'booking-' });
    const pattern = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as any)].Properties.EventPattern;
    expect(pattern.detail).toEqual({ flowToken: [{ prefix: 'booking-' }] });
    expect(standIn.accepted.every((e) => e.DetailType === pattern['detail-type'][0] && e.Source === pattern.source[0])).toBe(true);
    expectNoCustomerData(outcome.logs);
  });

  test('a response that names no sender at all is still malformed', async () => {
    const value = bsuidFlowResponseValue('booking-x');
    const { from_user_id: _, ...anonymous } = value.messages[0];
    const outcome = await fn.invoke(snsEvent([envelope(entry('messages', { ...value, contacts: [], messages: [anonymous] }))]));
    expect(outcome.error).toMatch(/neither 'from' nor 'from_user_id' names the sender/);
  });
});

describe('other WhatsApp traffic is counted and ignored, whatever its shape', () => {
  test('a change without a field, and a flows change without an event, do not poison the SNS message', async () => {
    const message = envelope({
      id: '1234567890abcde',
      changes: [
        { value: { anything: true } },
        { field: 'flows', value: { flow_id: '6627390910605886', message: 'no event name' } },
        { field: 'account_update', value: 'not even an object' },
        { field: 'flows', value: META_STATUS_CHANGE_VALUE },
      ],
    });
    const outcome = await fn.invoke(snsEvent([message, response(1)]));
    expect(outcome.error).toBeUndefined();
    expect(details(standIn.accepted).map((d) => d.newStatus ?? d.flowToken)).toEqual(['PUBLISHED', 'booking-1']);
    expect(outcome.result).toMatchObject({ rejected: [], ignored: { 'unknown': 1, 'flows/unknown': 1, 'account_update': 1 } });
    expect(reportOf(outcome.logs)).toMatchObject({ IgnoredEvents: 3, MalformedMessages: 0 });
  });
});

describe('refused entries are retried within the invocation\'s time, not for a fixed number of rounds', () => {
  test('a throttling burst longer than five rounds: every event is published once and the invocation succeeds', async () => {
    standIn.entryFault = (_e, attempt) => (attempt <= 8 ? 'ThrottlingException' : undefined);
    const outcome = await fn.invoke(snsEvent([response(0), response(1), response(2)]));
    expect(outcome.error).toBeUndefined();
    expect(details(standIn.accepted).map((d) => d.flowToken).sort()).toEqual(['booking-0', 'booking-1', 'booking-2']);
    expect(standIn.calls.length).toBe(9);
  });

  test('a PutEvents call that never answers is abandoned in time: the invocation fails before its deadline', async () => {
    standIn.callFault = () => 'hang';
    const event = snsEvent([response(0)]);
    const budgetMs = 7_000;
    const outcome = await fn.invoke(event, budgetMs);
    expect(outcome.error).toMatch(new RegExp(`^EventBridge did not take 1 of 1 events \\(\\w+ x1\\) of SNS messages ${event.Records[0].Sns.MessageId}$`));
    expect(outcome.ms).toBeLessThan(budgetMs);
    expect(standIn.accepted).toEqual([]);
  });

  test('throttling that outlasts the budget fails before the invocation\'s deadline, naming the SNS messages', async () => {
    standIn.entryFault = () => 'ThrottlingException';
    const event = snsEvent([response(0), response(1)]);
    const budgetMs = 5_000;
    const outcome = await fn.invoke(event, budgetMs);
    expect(outcome.error).toBe(`EventBridge did not take 2 of 2 events (ThrottlingException x2) of SNS messages ${event.Records[0].Sns.MessageId}, ${event.Records[1].Sns.MessageId}`);
    // It used its time (well past the old 1.5 s of five rounds at the production delay) and kept the margin.
    expect(outcome.ms).toBeLessThan(budgetMs - 1_000);
    expect(standIn.calls.length).toBeGreaterThan(5);
  });
});
