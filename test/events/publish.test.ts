import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_EXPIRY_WARNING, entry, envelope, META_STATUS_CHANGE_VALUE, snsEvent, TEXT_MESSAGE_VALUE } from './payloads';
import { handler } from '../../src/events/flow-events.lambda';
import { batches, entrySize, MAX_ENTRIES_PER_CALL, MAX_REQUEST_BYTES, publish } from '../../src/events/publish';

const eventBridge = mockClient(EventBridgeClient);

function entryOf(detailBytes: number, n = 0): PutEventsRequestEntry {
  return { Source: 'cdk-whatsapp-flows', DetailType: 'WhatsApp Flow Response', Detail: JSON.stringify({ n, pad: 'x'.repeat(Math.max(0, detailBytes - 20)) }) };
}

const noSleep = async () => {};
const options = { remainingMs: () => 60_000, baseDelayMs: 1, maxRounds: 5, sleep: noSleep };

beforeEach(() => eventBridge.reset());

describe('entry size and batches', () => {
  test('size as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail, Resources, and 14 for Time', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}', Resources: ['r1', 'r22'] })).toBe(2 + 2 + 8 + 5);
    expect(entrySize({ Source: 'ab', DetailType: 'cd', Time: new Date() })).toBe(18);
  });

  test('at most 10 entries a call', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entryOf(100, i));
    expect(batches(entries).map((b) => b.length)).toEqual([MAX_ENTRIES_PER_CALL, MAX_ENTRIES_PER_CALL, 5]);
    expect(batches(entries).flat()).toEqual(entries);
  });

  test('at most 256 KB a call; an entry of exactly the limit goes alone', () => {
    const big = entryOf(100 * 1024);
    expect(batches([big, big, big, big, big]).map((b) => b.length)).toEqual([2, 2, 1]);
    const full = entryOf(0);
    const exact = { ...full, Detail: 'x'.repeat(MAX_REQUEST_BYTES - entrySize(full) + entrySize({ Detail: full.Detail })) };
    expect(entrySize(exact)).toBe(MAX_REQUEST_BYTES);
    expect(batches([entryOf(10), exact, entryOf(10)]).map((b) => b.length)).toEqual([1, 1, 1]);
  });

  test('an entry over the limit is refused', () => {
    expect(() => batches([entryOf(MAX_REQUEST_BYTES)])).toThrow(/over EventBridge's 262144-byte limit/);
  });
});

describe('publish', () => {
  test('retries only the entries that failed with a retryable code; a refusal for good is not retried', async () => {
    const entries = Array.from({ length: 4 }, (_, i) => entryOf(10, i));
    eventBridge.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { ErrorCode: 'AccessDeniedException' }, { EventId: 'd' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const result = await publish(new EventBridgeClient({}), entries, options);
    expect(result).toEqual({ published: 3, calls: 2, failed: [{ entry: entries[2], errorCode: 'AccessDeniedException' }] });
    expect(eventBridge.commandCalls(PutEventsCommand)[1].args[0].input.Entries).toEqual([entries[1]]);
  });

  test('without a round limit, retries go on while the time left covers the next delay; the delay is capped', async () => {
    const entries = [entryOf(10, 1)];
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });
    let clock = 0;
    const delays: number[] = [];
    const result = await publish(new EventBridgeClient({}), entries, {
      baseDelayMs: 100, maxDelayMs: 1_000, remainingMs: () => 10_000 - clock, sleep: async (ms) => { delays.push(ms); clock += ms; },
    });
    expect(result.failed).toEqual([{ entry: entries[0], errorCode: 'ThrottlingException' }]);
    expect(result.calls).toBeGreaterThan(5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    expect(clock).toBeLessThanOrEqual(10_000);
    expect(clock).toBeGreaterThan(7_000);
  });

  test('a call that throws is tried again with all its entries', async () => {
    const entries = [entryOf(10, 1), entryOf(10, 2)];
    eventBridge.on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'InternalException' }))
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    expect(await publish(new EventBridgeClient({}), entries, options)).toEqual({ published: 2, calls: 2, failed: [] });
  });

  test('gives up after the last round, or when the next back-off would outlast the time left', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const rounds = await publish(new EventBridgeClient({}), [entryOf(10)], { ...options, maxRounds: 3 });
    expect(rounds).toMatchObject({ published: 0, calls: 3, failed: [{ errorCode: 'InternalFailure' }] });
    eventBridge.resetHistory();
    const budget = await publish(new EventBridgeClient({}), [entryOf(10)], { ...options, baseDelayMs: 1000, remainingMs: () => 400 });
    expect(budget).toMatchObject({ published: 0, calls: 1, failed: [{ errorCode: 'InternalFailure' }] });
  });
});

describe('handler (SDK mocked)', () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  afterAll(() => log.mockRestore());

  test('puts each Flow event on the bus named by EVENT_BUS_NAME; counts the rest', async () => {
    process.env.EVENT_BUS_NAME = 'arn:aws:events:us-east-1:111111111111:event-bus/flows';
    eventBridge.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) }));
    const result = await handler(snsEvent([envelope(AWS_EXPIRY_WARNING), envelope(entry('flows', META_STATUS_CHANGE_VALUE)), envelope(entry('messages', TEXT_MESSAGE_VALUE))]));
    delete process.env.EVENT_BUS_NAME;
    const sent = eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
    expect(sent.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      ['cdk-whatsapp-flows', 'WhatsApp Flow Version Expiry Warning', 'arn:aws:events:us-east-1:111111111111:event-bus/flows'],
      ['cdk-whatsapp-flows', 'WhatsApp Flow Status Change', 'arn:aws:events:us-east-1:111111111111:event-bus/flows'],
    ]);
    expect(result).toEqual({
      records: 3,
      published: { 'WhatsApp Flow Version Expiry Warning': 1, 'WhatsApp Flow Status Change': 1 },
      ignored: { 'messages/text': 1 },
      rejected: [],
      failed: {},
      putEventsCalls: 1,
      media: { stored: 0, failed: 0 },
    });
  });

  test('nothing to publish: no call; a record without a usable SNS timestamp still parses', async () => {
    const event = snsEvent([envelope(entry('messages', TEXT_MESSAGE_VALUE))]);
    const result = await handler(event);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(result.putEventsCalls).toBe(0);
    const noTimestamp = snsEvent([JSON.stringify({ whatsAppWebhookEntry: JSON.stringify(entry('flows', META_STATUS_CHANGE_VALUE)) })]);
    (noTimestamp.Records[0].Sns as { Timestamp: string }).Timestamp = 'not a time';
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    expect((await handler(noTimestamp)).published).toEqual({ 'WhatsApp Flow Status Change': 1 });
  });

  test('a record that is not an SNS record is rejected alone; the others are published', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const event = snsEvent([envelope(AWS_EXPIRY_WARNING)]);
    event.Records.unshift({} as typeof event.Records[0]);
    await expect(handler(event)).rejects.toThrow(/^1 of 2 SNS messages could not be published: unknown: /);
    expect(eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries!.map((e) => e.DetailType)).toEqual(['WhatsApp Flow Version Expiry Warning']);
  });

  test('a very long failure reason is cut to 1 KB', async () => {
    const bad = Array.from({ length: 40 }, () => 'not json');
    await expect(handler(snsEvent(bad))).rejects.toThrow(expect.objectContaining({
      name: 'FlowEventsError',
      message: expect.stringMatching(/^40 of 40 SNS messages could not be published: .*\.\.\.$/),
    }));
    try {
      await handler(snsEvent(bad));
    } catch (e) {
      expect((e as Error).message).toHaveLength(1024);
    }
  });
});
