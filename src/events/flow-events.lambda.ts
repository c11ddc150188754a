import { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Context, SNSEvent } from 'aws-lambda';
import { EVENT_BUS_ENV, FLOW_EVENT_SOURCE, FlowEventDetailType, FlowEventMetric, METRIC_DIMENSION, METRICS_NAMESPACE } from './contract';
import { parseMessage } from './parse';
import { entrySize, FailedEntry, MAX_REQUEST_BYTES, publish } from './publish';

/**
 * The function behind WhatsAppFlowEvents, subscribed to the WhatsApp Business Account's event topic.
 *
 * Each SNS message becomes all of its Flow events on the bus, or none: a message that cannot be parsed, or that
 * holds an event too large for EventBridge, is not published at all. Every other message of the invocation is
 * published first; then the invocation fails, naming the messages it could not take. Lambda retries the invocation
 * and then hands the whole event to the dead-letter queue, so the message is kept whole, with the reason, and
 * nothing of the rest is lost. Events that EventBridge does not take after retries fail the invocation the same way.
 *
 * Logs hold counts and SNS message ids only: never a response, a phone number or a flow token.
 */

/** Used when there is no Lambda context. */
const DEFAULT_BUDGET_MS = 30_000;
/** Time kept back from the budget to report and fail cleanly. */
const BUDGET_MARGIN_MS = 1_000;
const MAX_ROUNDS = 5;
const MAX_ERROR_LENGTH = 1024;

let client: EventBridgeClient | undefined;

function eventBridge(): EventBridgeClient {
  client ??= new EventBridgeClient({});
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

/** The EventBridge entries of one SNS message; throws when the message cannot be published whole. */
function entriesOf(message: string, receivedAt: Date, busName: string | undefined, ignored: string[]): PutEventsRequestEntry[] {
  const parsed = parseMessage(message, { receivedAt });
  const entries = parsed.events.map((event): PutEventsRequestEntry => ({
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
  ignored.push(...parsed.ignored);
  return entries;
}

export async function handler(event: SNSEvent, context?: Context): Promise<FlowEventsResult> {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS) - BUDGET_MARGIN_MS;
  const busName = process.env[EVENT_BUS_ENV] || undefined;
  const records = event.Records ?? [];
  const entries: PutEventsRequestEntry[] = [];
  const ignored: string[] = [];
  const rejected: RejectedMessage[] = [];
  for (const record of records) {
    try {
      const receivedAt = new Date(record.Sns.Timestamp);
      entries.push(...entriesOf(record.Sns.Message, Number.isNaN(receivedAt.getTime()) ? new Date() : receivedAt, busName, ignored));
    } catch (error) {
      // Any error here is about this message alone: the rest of the invocation goes on.
      rejected.push({ snsMessageId: record.Sns?.MessageId ?? 'unknown', reason: (error as Error).message });
    }
  }

  let failed: FailedEntry[] = [];
  let putEventsCalls = 0;
  let publishedTypes: string[] = [];
  if (entries.length > 0) {
    const outcome = await publish(eventBridge(), entries, {
      remainingMs: () => deadline - Date.now(),
      baseDelayMs: Number(process.env.RETRY_BASE_DELAY_MS) || 100,
      maxRounds: MAX_ROUNDS,
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
  };
  report(result);

  const problems: string[] = [];
  if (failed.length > 0) {
    problems.push(`EventBridge did not take ${failed.length} of ${entries.length} events (${Object.entries(result.failed).map(([code, n]) => `${code} x${n}`).join(', ')})`);
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
