/**
 * Waiting for the rate limit across invocations (the Provider framework's `isComplete` waiter).
 *
 * An operation whose only problem is throttling is handed over instead of failing: onEvent answers with
 * `RateLimitWait` (and no Data), and the framework calls the same function again every query interval with the
 * event and that answer, until it answers `IsComplete: true` or fails. An operation is handed over only while no
 * mutating call of the invocation has been applied, so that each continuation starts from a state that is fully
 * known: a Create that never made its Flow, an Update that converges again from a read, a Delete that is idempotent.
 * The carried state cannot change between continuations (the framework passes onEvent's answer each time).
 */

/** The field of onEvent's answer that says the operation waits for the rate limit. */
export const WAIT_FIELD = 'RateLimitWait';

/** The physical id of a Create that waits and has made nothing yet. */
export const PENDING_CREATE_PREFIX = 'pending-create:';

export const pendingCreateId = (requestId: string) => `${PENDING_CREATE_PREFIX}${requestId}`;
export const isPendingCreate = (physicalId: string | undefined) => !!physicalId?.startsWith(PENDING_CREATE_PREFIX);

/** What a waiting operation carries from onEvent to each `isComplete` call. */
export interface WaitState {
  /** When the operation first waited (epoch ms). */
  readonly since: number;
  /** After this (epoch ms), a continuation that is still throttled fails instead of waiting again. */
  readonly deadline: number;
}

/** How long an operation may wait for the rate limit, unless the provider's function says otherwise. */
export const DEFAULT_WAIT_MS = 45 * 60_000;

/** The environment variable through which the provider sets how long operations may wait. */
export const WAIT_ENV = 'RATE_LIMIT_WAIT_MS';
