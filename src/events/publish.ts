import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** PutEvents takes at most 10 entries a call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents takes at most 256 KB a call, so no entry may be larger either. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** The shortest time a call is given, however little budget is left. */
const MIN_CALL_MS = 500;
/** How far past the budget a call may run: less than the margin the handler keeps before Lambda's deadline. */
const CALL_GRACE_MS = 2_000;

/** Entry error codes that say "try again": the others (a malformed detail, no permission) will not get better. */
const RETRYABLE_ENTRY_ERRORS = new Set(['InternalFailure', 'InternalException', 'ThrottlingException', 'ServiceUnavailable']);

/**
 * An entry's size as EventBridge counts it: the UTF-8 bytes of Source, DetailType, Detail and each resource,
 * and 14 bytes for Time.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text?: string) => (text ? Buffer.byteLength(text, 'utf8') : 0);
  return (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail)
    + (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0);
}

/** Splits entries into PutEvents calls: at most 10 entries and 256 KB each, in order. */
export function batches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > MAX_REQUEST_BYTES) throw new Error(`an entry of ${size} bytes is over EventBridge's ${MAX_REQUEST_BYTES}-byte limit`);
    if (current.length === MAX_ENTRIES_PER_CALL || bytes + size > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

export interface PublishOptions {
  /** Milliseconds left before the invocation must give up. */
  readonly remainingMs: () => number;
  /** First back-off delay before retrying failed entries; doubled each round, with jitter. */
  readonly baseDelayMs: number;
  /** The longest delay between two rounds. @default 2000 */
  readonly maxDelayMs?: number;
  /**
   * Rounds of PutEvents calls, the first included. Without it, rounds go on while the time left (`remainingMs`)
   * covers the next delay.
   * @default - no limit but the time
   */
  readonly maxRounds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An entry EventBridge did not take, with its last error code. */
export interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string;
}

export interface PublishResult {
  /** Entries EventBridge took. */
  readonly published: number;
  /** Entries EventBridge did not take after every retry, or refused for good. */
  readonly failed: FailedEntry[];
  /** PutEvents calls made. */
  readonly calls: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Puts the entries on the bus in batched PutEvents calls. Entries that fail with a retryable code (and every entry
 * of a call that failed as a whole) are sent again, with capped back-off, while time (and rounds, if limited) remain.
 */
export async function publish(client: EventBridgeClient, entries: PutEventsRequestEntry[], options: PublishOptions): Promise<PublishResult> {
  const sleep = options.sleep ?? defaultSleep;
  const failed: FailedEntry[] = [];
  let pending = entries;
  let published = 0;
  let calls = 0;
  for (let round = 1; pending.length > 0; round++) {
    const retry: FailedEntry[] = [];
    for (const batch of batches(pending)) {
      calls++;
      try {
        // A call never outlives the budget by more than the grace: the SDK's own retries included.
        const abortSignal = AbortSignal.timeout(Math.max(MIN_CALL_MS, options.remainingMs()) + CALL_GRACE_MS);
        const response = await client.send(new PutEventsCommand({ Entries: batch }), { abortSignal });
        // Results come back in the order of the request's entries.
        (response.Entries ?? []).forEach((result, i) => {
          if (!result.ErrorCode) {
            published++;
          } else {
            (RETRYABLE_ENTRY_ERRORS.has(result.ErrorCode) ? retry : failed).push({ entry: batch[i], errorCode: result.ErrorCode });
          }
        });
      } catch (error) {
        // The SDK has retried the call itself: a call that still fails is tried again in the next round.
        const errorCode = (error as Error).name || 'Error';
        batch.forEach((entry) => retry.push({ entry, errorCode }));
      }
    }
    const delay = Math.round(Math.min(options.maxDelayMs ?? 2_000, options.baseDelayMs * 2 ** Math.min(round - 1, 30)) * (0.5 + Math.random() / 2));
    if (retry.length === 0 || round >= (options.maxRounds ?? Infinity) || delay >= options.remainingMs()) {
      failed.push(...retry);
      break;
    }
    await sleep(delay);
    pending = retry.map((f) => f.entry);
  }
  return { published, failed, calls };
}
