/** Errors that say "try again later": Meta or the service is busy, or a dependency had a hiccup. */
const RETRYABLE_ERRORS = new Set([
  'ThrottledRequestException',
  // CloudFormation's (DescribeStacks) name for it.
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServiceException',
  'InternalServerError',
  'ServiceUnavailable',
  'DependencyException',
  'TimeoutError',
  'RequestTimeout',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

const THROTTLING_ERRORS = new Set(['ThrottledRequestException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/** A refusal for the rate limit: decided at the front door, before the service acted. */
export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return !!e && typeof e === 'object' && (THROTTLING_ERRORS.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429);
}

/** A retryable error that the service may have raised after acting on the request: a lost response. */
export function mayHaveApplied(error: unknown): boolean {
  return isRetryable(error) && !isThrottling(error);
}

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return false;
  if (e.name && RETRYABLE_ERRORS.has(e.name)) return true;
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return status >= 500 || status === 429;
}

/** The wait a refusal asks for (`Retry-After`, in seconds or as a date), when the service sends one. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const response = (error as { $response?: { headers?: Record<string, string | undefined> } })?.$response;
  const value = response?.headers?.['retry-after'] ?? response?.headers?.['Retry-After'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** How throttling backs off: its own ladder, apart from the one for 5xx and timeouts. */
export interface ThrottleBackoffOptions {
  /** The shortest wait after a refusal. @default 1000 */
  readonly minDelayMs?: number;
  /**
   * The first refusal's wait is drawn from [minDelayMs, firstSpreadMs]: when many functions start at once (a stack
   * of many Flows), a wide first spread lets their retries arrive as tokens come back instead of in a crowd.
   * @default 12000
   */
  readonly firstSpreadMs?: number;
  /** The longest wait. @default 12000 */
  readonly maxDelayMs?: number;
  /**
   * The longest wait once refusals have gone on without a served call for `longAfterMs`: a limit counted per hour
   * (Meta's) is not helped by calls every few seconds. @default 60000
   */
  readonly longMaxDelayMs?: number;
  /** @default 60000 */
  readonly longAfterMs?: number;
  readonly now?: () => number;
  /**
   * After a served call that followed refusals, the next call waits up to this share of the last wait: a function
   * that was just refused does not rush its next step into a bucket that is still empty. @default 0.6
   */
  readonly pace?: number;
  readonly random?: () => number;
}

/**
 * Decorrelated jitter for throttling (each wait drawn from [min, 3 x the previous one], capped), which starts from
 * what the last refusal taught: one instance lives as long as the function's sandbox, so the next call of a warm
 * function (the next step, the next Flow) begins where the last refusal left it, and each served call halves it.
 * A `Retry-After` from the service is the floor of the wait, with jitter on top so that callers told the same
 * time do not all come back at once.
 */
export class ThrottleBackoff {
  private readonly minMs: number;
  private readonly firstMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private readonly paceShare: number;
  private readonly longMaxMs: number;
  private readonly longAfterMs: number;
  private readonly now: () => number;
  /** When the current run of refusals began (no served call since); undefined when there is none. */
  private streakStart?: number;
  /** The last wait; 0 when the last calls were served without refusal. */
  private last = 0;
  /** The pause before the next call, set when a call is served after refusals. */
  private pause = 0;

  constructor(options: ThrottleBackoffOptions = {}) {
    this.minMs = options.minDelayMs ?? 1_000;
    this.firstMs = Math.max(this.minMs, options.firstSpreadMs ?? 12_000);
    this.maxMs = Math.max(this.minMs, options.maxDelayMs ?? 12_000);
    this.paceShare = options.pace ?? 0.6;
    this.longMaxMs = Math.max(this.maxMs, options.longMaxDelayMs ?? 60_000);
    this.longAfterMs = options.longAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** The wait after a refusal. */
  public next(retryAfter?: number): number {
    const now = this.now();
    this.streakStart ??= now;
    const cap = now - this.streakStart >= this.longAfterMs ? this.longMaxMs : this.maxMs;
    const high = this.last === 0 ? this.firstMs : Math.min(cap, this.last * 3);
    let delay = this.minMs + this.random() * Math.max(0, high - this.minMs);
    if (retryAfter !== undefined) delay = Math.max(delay, retryAfter + this.random() * Math.min(retryAfter, this.maxMs));
    this.last = Math.min(cap, delay);
    return Math.round(delay);
  }

  /** A call was served: the next refusal starts from a shorter wait, and the next call may pause first. */
  public served(): void {
    this.pause = Math.round(this.random() * this.last * this.paceShare);
    this.last = this.last / 2 < this.minMs ? 0 : this.last / 2;
    this.streakStart = undefined;
  }

  /** An operation that has waited for the rate limit since `since` carries on: its run of refusals goes on. */
  public continueStreak(since: number): void {
    this.streakStart = Math.min(this.streakStart ?? since, since);
  }

  /** The pause before the next call (once). */
  public takePause(): number {
    const pause = this.pause;
    this.pause = 0;
    return pause;
  }

  /** Where the ladder stands, to carry it into a later invocation. */
  public get lastDelayMs(): number {
    return this.last;
  }

  public resume(lastDelayMs: number): void {
    this.last = Math.min(this.longMaxMs, Math.max(0, lastDelayMs || 0));
  }
}

export interface RetryOptions {
  /** Milliseconds left before the caller must give up. */
  readonly remainingMs: () => number;
  /** First back-off delay for 5xx and timeouts; doubled on each retry, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly log: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Throttling's own back-off. @default - a fresh ThrottleBackoff */
  readonly throttle?: ThrottleBackoff;
}

/** Raised when retryable errors outlast the time budget. */
export class RetryBudgetExhausted extends Error {
  constructor(readonly operation: string, readonly attempts: number, readonly lastError: Error) {
    super(`${operation} still failed after ${attempts} attempts (${lastError.name}: ${lastError.message})`);
    this.name = 'RetryBudgetExhausted';
  }
}

/**
 * The budget ran out while every attempt was refused for the rate limit: the service never acted on the request,
 * so the operation can be carried on later from where it stands.
 */
export class ThrottledOut extends RetryBudgetExhausted {
  public readonly onlyThrottled = true;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, retrying retryable errors while the time budget allows: throttling on its own ladder
 * (ThrottleBackoff), everything else with exponential back-off and jitter.
 */
export async function withRetry<T>(operation: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const throttle = options.throttle ?? new ThrottleBackoff();
  let onlyThrottled = true;
  let failures = 0;
  const pause = throttle.takePause();
  if (pause > 0 && pause < options.remainingMs()) await sleep(pause);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call();
      throttle.served();
      return result;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      let delay: number;
      if (isThrottling(error)) {
        delay = throttle.next(retryAfterMs(error));
      } else {
        onlyThrottled = false;
        const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** failures++);
        delay = Math.round(backoff * (0.5 + Math.random() / 2));
      }
      if (delay >= options.remainingMs()) {
        throw onlyThrottled ? new ThrottledOut(operation, attempt, error as Error) : new RetryBudgetExhausted(operation, attempt, error as Error);
      }
      options.log(`${operation}: ${(error as Error).name}, retry ${attempt} in ${delay} ms`);
      await sleep(delay);
    }
  }
}
