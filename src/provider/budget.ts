import { ThrottleBackoff, withRetry } from './retry';

/** Time kept back from the main work so that a failed Create can still clean up after itself. */
export const CLEANUP_RESERVE_MS = 30_000;

/** Errors that cannot mean "the name is taken": a refused Create with one of them needs no lookup by name. */
export const NOT_A_NAME_CONFLICT = ['AccessDeniedException', 'AccessDeniedByMetaException', 'ResourceNotFoundException'];

/** What a lifecycle knows of its invocation's time and logs. */
export interface InvocationBudget {
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  readonly log: (message: string) => void;
  /** First back-off delay for 5xx and timeouts. @default 500 */
  readonly retryBaseDelayMs?: number;
  /** Throttling's back-off, shared by every call of the sandbox. @default - one per request */
  readonly throttle?: ThrottleBackoff;
}

/** How long a request may be retried. */
export type RetryScope =
  /** Main work: stops short of the deadline to leave time for cleanup. */
  | 'work'
  /** Cleanup after a failed Create: may use all of the invocation. */
  | 'cleanup'
  /** A read that only fills an attribute: gives up early and leaves the budget to the writes. */
  | 'attribute';

/** How long a read that only fills an attribute is retried. */
export const ATTRIBUTE_READ_MS = 15_000;

/**
 * Runs one request, retrying retryable errors with back-off within the invocation's budget. The main work stops
 * short of the deadline to leave time for cleanup; cleanup itself (`cleanup: true`) may use all of it.
 */
export function withinBudget<T>(operation: string, call: () => Promise<T>, budget: InvocationBudget, scope: RetryScope | boolean = 'work'): Promise<T> {
  const kind: RetryScope = scope === true ? 'cleanup' : scope === false ? 'work' : scope;
  const reserve = kind === 'cleanup' ? 1_000 : Math.min(CLEANUP_RESERVE_MS, budget.remainingMs() / 4);
  const giveUpAt = kind === 'attribute' ? Date.now() + ATTRIBUTE_READ_MS : Infinity;
  return withRetry(operation, call, {
    remainingMs: () => Math.min(budget.remainingMs() - reserve, giveUpAt - Date.now()),
    baseDelayMs: budget.retryBaseDelayMs ?? 500,
    maxDelayMs: 10_000,
    log: budget.log,
    throttle: budget.throttle,
  });
}
