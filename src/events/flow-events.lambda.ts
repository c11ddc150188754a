import { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Context, SNSEvent } from 'aws-lambda';
import {
  EVENT_BUS_ENV, FLOW_EVENT_SOURCE, FlowEventDetailType, FlowEventMetric, MEDIA_BUCKET_ENV, MEDIA_PREFIX_ENV, METRIC_DIMENSION, METRICS_NAMESPACE,
} from './contract';
import type { MediaResult } from './media';
import { FlowEvent, parseMessage } from './parse';
import { entrySize, FailedEntry, MAX_REQUEST_BYTES, publish } from './publish';

/**
 * The function behind WhatsAppFlowEvents, subscribed to the WhatsApp Business Account's event topic.
 *
 * Each SNS message becomes all of its Flow events on the bus, or none: a message that cannot be parsed, or that
 * holds an event too large for EventBridge, is not published at all. Every other message of the invocation is
 * published first; then the invocation fails, naming the messages it could not take. Lambda retries the invocation
 * and then hands the whole event to the dead-letter queue, so the message is kept whole, with the reason, and
 * nothing of the rest is lost. Events that EventBridge does not take after retries fail the invocation the same way,
 * naming their SNS messages. Refused entries are retried with back-off for as long as the invocation's time allows
 * (context.getRemainingTimeInMillis, less a margin), so that a throttling burst does not make Lambda retry, and
 * republish, events EventBridge already took.
 *
 * With a media bucket, the files of Flow responses are first copied into it by GetWhatsAppMessageMedia (media.ts).
 *
 * Logs hold counts and SNS message ids only: never a response, a phone number or a flow token.
 */

/** Used when there is no Lambda context. */
const DEFAULT_BUDGET_MS = 30_000;
/** Time kept back from the budget for the last PutEvents call to finish, and to report and fail cleanly. */
const BUDGET_MARGIN_MS = 3_000;
/** The longest one PutEvents call may take (the SDK's own retries included in each attempt's share). */
const PUT_EVENTS_TIMEOUT_MS = 2_500;
/** The longest pause between two rounds of retries. */
const MAX_RETRY_DELAY_MS = 2_000;
const DEFAULT_RETRY_BASE_DELAY_MS = 100;
/** Time the media stage leaves for publishing. */
const PUBLISH_RESERVE_MS = 8_000;
const MAX_ERROR_LENGTH = 1024;

let client: EventBridgeClient | undefined;

function eventBridge(): EventBridgeClient {
  client ??= new EventBridgeClient({ requestHandler: { requestTimeout: PUT_EVENTS_TIMEOUT_MS } });
  return client;
}

/** An SNS message that could not be published: which one, and why. */
export interface RejectedMessage {
  readonly snsMessageId: string;
  readonly reason: string;
}

/** What one invocation did. */
export interface FlowEventsResult {
  /** SNS records received. */
  readonly records: number;
  /** Events put on the bus, by detail type. */
  readonly published: Record<string, number>;
  /** WhatsApp events that are not Flow events, by kind. */
  readonly ignored: Record<string, number>;
  readonly rejected: RejectedMessage[];
  /** Events EventBridge did not take, by error code. */
  readonly failed: Record<string, number>;
  /** PutEvents calls made. */
  readonly putEventsCalls: number;
  /** Media files stored in the media bucket, and files that could not be. */
  readonly media: MediaResult;
}

/** The invocation published what it could, and some SNS messages or events could not be. */
export class FlowEventsError extends Error {
  constructor(message: string, readonly result: FlowEventsResult) {
    super(message);
    this.name = 'FlowEventsError';
  }
}

function count(list: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of list) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** One embedded-metric-format line: the invocation's counts, as a log line and as CloudWatch metrics. */
function report(result: FlowEventsResult): void {
  const metrics: Record<string, number> = {
    [FlowEventMetric.MALFORMED_MESSAGES]: result.rejected.length,
    [FlowEventMetric.IGNORED_EVENTS]: Object.values(result.ignored).reduce((a, b) => a + b, 0),
    [FlowEventMetric.FAILED_EVENTS]: Object.values(result.failed).reduce((a, b) => a + b, 0),
    [FlowEventMetric.STORED_MEDIA]: result.media.stored,
    [FlowEventMetric.FAILED_MEDIA]: result.media.failed,
  };
  for (const type of Object.values(FlowEventDetailType)) metrics[FlowEventMetric[type]] = result.published[type] ?? 0;
  console.log(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE,
        Dimensions: [[METRIC_DIMENSION]],
        Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
      }],
    },
    [METRIC_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
    ...metrics,
    records: result.records,
    ignoredByKind: result.ignored,
    failedByCode: result.failed,
    rejectedMessages: result.rejected,
  }));
}

/** The EventBridge entries of one SNS message's events; throws when one is too large for EventBridge. */
function entriesOf(events: FlowEvent[], busName: string | undefined): PutEventsRequestEntry[] {
  const entries = events.map((event): PutEventsRequestEntry => ({
    Source: FLOW_EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: event.resources,
    Time: event.time,
    EventBusName: busName,
  }));
  entries.forEach((entry, i) => {
    const size = entrySize(entry);
    if (size > MAX_REQUEST_BYTES) {
      throw new Error(`event ${i} (${entry.DetailType}) is ${size} bytes, over EventBridge's limit of ${MAX_REQUEST_BYTES} bytes`);
    }
  });
  return entries;
}

/** One SNS message read: its id and its Flow events. */
interface ReadMessage {
  readonly snsMessageId: string;
  events: FlowEvent[];
}

/** What tests change; the shipped function uses the defaults. */
export interface FlowEventsHandlerOptions {
  /** First delay before EventBridge's refused entries are sent again. @default 100 */
  readonly retryBaseDelayMs?: number;
}

/** The events function with `options`; `handler` is the shipped one. */
export function makeHandler(options: FlowEventsHandlerOptions = {}): (event: SNSEvent, context?: Context) => Promise<FlowEventsResult> {
  return (event, context) => handle(event, context, options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS);
}

export const handler = makeHandler();

async function handle(event: SNSEvent, context: Context | undefined, retryBaseDelayMs: number): Promise<FlowEventsResult> {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS) - BUDGET_MARGIN_MS;
  const busName = process.env[EVENT_BUS_ENV] || undefined;
  const records = event.Records ?? [];
  const ignored: string[] = [];
  const rejected: RejectedMessage[] = [];
  const read: ReadMessage[] = [];
  for (const record of records) {
    const snsMessageId = record.Sns?.MessageId ?? 'unknown';
    try {
      const receivedAt = new Date(record.Sns.Timestamp);
      const parsed = parseMessage(record.Sns.Message, { receivedAt: Number.isNaN(receivedAt.getTime()) ? new Date() : receivedAt });
      ignored.push(...parsed.ignored);
      if (parsed.events.length > 0) read.push({ snsMessageId, events: parsed.events });
    } catch (error) {
      // Any error here is about this message alone: the rest of the invocation goes on.
      rejected.push({ snsMessageId, reason: (error as Error).message });
    }
  }

  let media: MediaResult = { stored: 0, failed: 0 };
  const mediaBucket = process.env[MEDIA_BUCKET_ENV];
  if (mediaBucket && read.some((m) => m.events.some((e) => e.media?.length))) {
    // Loaded only when there are media to store: the SocialMessaging client stays out of every other invocation.
    const { storeMedia } = await import('./media.js');
    const options = { bucket: mediaBucket, prefix: process.env[MEDIA_PREFIX_ENV] ?? '', remainingMs: () => deadline - PUBLISH_RESERVE_MS - Date.now() };
    for (const message of read) {
      const stored = await storeMedia(message.events, options);
      message.events = stored.events;
      media = { stored: media.stored + stored.result.stored, failed: media.failed + stored.result.failed };
    }
  }

  const entries: PutEventsRequestEntry[] = [];
  const messageOf = new Map<PutEventsRequestEntry, string>();
  for (const message of read) {
    try {
      const own = entriesOf(message.events, busName);
      own.forEach((e) => messageOf.set(e, message.snsMessageId));
      entries.push(...own);
    } catch (error) {
      rejected.push({ snsMessageId: message.snsMessageId, reason: (error as Error).message });
    }
  }
  // In the order of the records, as the reason lists them.
  const order = new Map(records.map((r, i) => [r.Sns?.MessageId ?? 'unknown', i]));
  rejected.sort((a, b) => (order.get(a.snsMessageId) ?? 0) - (order.get(b.snsMessageId) ?? 0));

  let failed: FailedEntry[] = [];
  let putEventsCalls = 0;
  let publishedTypes: string[] = [];
  if (entries.length > 0) {
    const outcome = await publish(eventBridge(), entries, {
      remainingMs: () => deadline - Date.now(),
      baseDelayMs: retryBaseDelayMs,
      maxDelayMs: MAX_RETRY_DELAY_MS,
    });
    failed = outcome.failed;
    putEventsCalls = outcome.calls;
    const failedEntries = new Set(failed.map((f) => f.entry));
    publishedTypes = entries.filter((e) => !failedEntries.has(e)).map((e) => e.DetailType!);
  }

  const result: FlowEventsResult = {
    records: records.length,
    published: count(publishedTypes),
    ignored: count(ignored),
    rejected,
    failed: count(failed.map((f) => f.errorCode)),
    putEventsCalls,
    media,
  };
  report(result);

  const problems: string[] = [];
  if (failed.length > 0) {
    const messages = [...new Set(failed.map((f) => messageOf.get(f.entry) ?? 'unknown'))];
    problems.push(`EventBridge did not take ${failed.length} of ${entries.length} events (${Object.entries(result.failed).map(([code, n]) => `${code} x${n}`).join(', ')}) `
      + `of SNS messages ${messages.join(', ')}`);
  }
  if (rejected.length > 0) {
    problems.push(`${rejected.length} of ${records.length} SNS messages could not be published: `
      + rejected.map((r) => `${r.snsMessageId}: ${r.reason}`).join('; '));
  }
  if (problems.length > 0) {
    // The reason travels with the message to the dead-letter queue (the ErrorMessage attribute): kept short.
    const message = problems.join('. ');
    throw new FlowEventsError(message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 3)}...` : message, result);
  }
  return result;
}
