import { mayHaveApplied } from './retry';

/**
 * Convergence, shared by the lifecycles (rule 14): an Update compares what the resource declares with what the
 * service reports, and makes only the calls that close the gap. Each lifecycle writes its own planner (desired and
 * observed in, a `Plan` out) and carries the plan out; this module holds what does not depend on the resource.
 */

/** One field of a resource: what the stack declares and what the service reports (undefined: not reported). */
export interface Field<T> {
  readonly name: string;
  readonly desired: T;
  readonly observed: T | undefined;
  /** @default strict equality */
  readonly same?: (a: T, b: T) => boolean;
}

/**
 * Names of the fields whose observed value differs from the desired one. A field the service did not report is
 * taken as differing only when `unreported` says so (usually: when the stack's own properties changed it).
 */
export function differingFields(fields: ReadonlyArray<Field<any> & { readonly unreported?: boolean }>): string[] {
  return fields.filter((f) => {
    if (f.observed === undefined) return f.unreported === true;
    return !(f.same ?? ((a, b) => a === b))(f.desired, f.observed);
  }).map((f) => f.name);
}

/** Order-insensitive comparison of two lists of strings (categories, languages). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

/** What an Update does: the calls that close the gap, in order, or why they cannot be made. */
export interface Plan<Step> {
  /** The mutating calls, in order; empty when the resource already matches. */
  readonly steps: readonly Step[];
  /** What differs between declared and observed (field names, never values that could hold customer data). */
  readonly differences: readonly string[];
  /**
   * Set when a rule that protects a live resource forbids the steps: a forward Update fails with this reason,
   * a rollback leaves the resource as it is (rule 7).
   */
  readonly blocked?: string;
}

/**
 * A value computed on first use and then kept: for the reads a plan needs only on some paths (whether the stack
 * is rolling back, the resource's current content), so that the normal paths do not pay for them.
 */
export function lazy<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= read());
}

/**
 * Wraps a mutating request for a retry loop: after an attempt whose answer may have been lost (a 5xx or a timeout
 * after the service acted), the next attempt first asks `applied` whether the edit is already there, and if so
 * takes that as the answer instead of sending the edit again. `applied` returns undefined when it is not there,
 * or when it cannot tell (a read that fails without being retryable): the edit is then sent again.
 */
export function readFirstAfterLostAnswer<T>(send: () => Promise<T>, applied: () => Promise<T | undefined>): () => Promise<T> {
  let answerLost = false;
  return async () => {
    if (answerLost) {
      const found = await applied();
      if (found !== undefined) return found;
    }
    try {
      return await send();
    } catch (error) {
      if (mayHaveApplied(error)) answerLost = true;
      throw error;
    }
  };
}
