import { withRetry } from './retry';

/** The Provider framework's physical id for a Create that failed before it had one: its Delete has nothing to do. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** Time kept back from the main work so that a failed Create can still clean up after itself. */
export const CLEANUP_RESERVE_MS = 30_000;

/** Errors that cannot mean "the name is taken": a refused Create with one of them needs no lookup by name. */
export const NOT_A_NAME_CONFLICT = ['AccessDeniedException', 'AccessDeniedByMetaException', 'ResourceNotFoundException'];

/** What a lifecycle knows of its invocation's time and logs. */
export interface InvocationBudget {
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  readonly log: (message: string) => void;
  /** @default 500 */
  readonly retryBaseDelayMs?: number;
}

/**
 * Runs one request, retrying retryable errors with back-off within the invocation's budget. The main work stops
 * short of the deadline to leave time for cleanup; cleanup itself (`cleanup: true`) may use all of it.
 */
export function withinBudget<T>(operation: string, call: () => Promise<T>, budget: InvocationBudget, cleanup = false): Promise<T> {
  const reserve = cleanup ? 1_000 : Math.min(CLEANUP_RESERVE_MS, budget.remainingMs() / 4);
  return withRetry(operation, call, {
    remainingMs: () => budget.remainingMs() - reserve,
    baseDelayMs: budget.retryBaseDelayMs ?? 500,
    maxDelayMs: 10_000,
    log: budget.log,
  });
}
