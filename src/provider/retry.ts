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

/** A retryable error that the service may have raised after acting on the request: a lost response. */
export function mayHaveApplied(error: unknown): boolean {
  return isRetryable(error) && !THROTTLING_ERRORS.has((error as Error).name);
}

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return false;
  if (e.name && RETRYABLE_ERRORS.has(e.name)) return true;
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

export interface RetryOptions {
  /** Milliseconds left before the caller must give up. */
  readonly remainingMs: () => number;
  /** First back-off delay; doubled on each retry, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly log: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Raised when retryable errors outlast the time budget. */
export class RetryBudgetExhausted extends Error {
  constructor(readonly operation: string, readonly attempts: number, readonly lastError: Error) {
    super(`${operation} still failed after ${attempts} attempts (${lastError.name}: ${lastError.message})`);
    this.name = 'RetryBudgetExhausted';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `call`, retrying retryable errors with exponential back-off while the time budget allows. */
export async function withRetry<T>(operation: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(backoff * (0.5 + Math.random() / 2));
      if (delay >= options.remainingMs()) {
        throw new RetryBudgetExhausted(operation, attempt, error as Error);
      }
      options.log(`${operation}: ${(error as Error).name}, retry ${attempt} in ${delay} ms`);
      await sleep(delay);
    }
  }
}
