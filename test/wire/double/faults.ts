import { ServiceErrorName } from './errors';

/** A failure to inject into one call. */
export interface Fault {
  readonly error: ServiceErrorName;
  /**
   * Apply the request, then answer with the error: models a response lost after the service acted.
   * @default false - the call fails before it changes anything
   */
  readonly afterApply?: boolean;
  /** @default - a message naming the injected fault */
  readonly message?: string;
  /**
   * Never answer: the request hangs until the client gives up (its request timeout). With `afterApply`, the
   * request is applied first. `error` is then only what the call log records.
   * @default false
   */
  readonly hang?: boolean;
}

export interface RandomFaultOptions {
  /** Seed of the PRNG; the same seed and call sequence gives the same faults. */
  readonly seed: number;
  /** Probability (0..1) that a call fails. */
  readonly rate: number;
  /** @default ['ThrottledRequestException', 'InternalServiceException', 'DependencyException'] */
  readonly errors?: ServiceErrorName[];
  /** @default - every operation */
  readonly operations?: string[];
  /** Share (0..1) of random 5xx faults that happen after the request was applied. @default 0 */
  readonly afterApplyShare?: number;
}

/** mulberry32: tiny deterministic PRNG, good enough to pick faults repeatably. */
export function mulberry32(seed: number): () => number {
  /* eslint-disable no-bitwise */
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /* eslint-enable no-bitwise */
}

/**
 * Fault plan per operation. Precedence for each call: scripted queue, then "always", then random.
 * Operation names are the SDK command names without `Command`, plus `GetObject` for S3
 * (any fault there answers S3's own `SlowDown` 503, since S3 errors are XML).
 */
export class Faults {
  private scripted = new Map<string, Fault[]>();
  private permanent = new Map<string, Fault>();
  private random?: { options: RandomFaultOptions; next: () => number };

  /** The next `faults.length` calls of `operation` fail in this order, then calls behave normally. */
  script(operation: string, faults: Array<ServiceErrorName | Fault>): this {
    const queue = this.scripted.get(operation) ?? [];
    queue.push(...faults.map(toFault));
    this.scripted.set(operation, queue);
    return this;
  }

  /** Every call of `operation` fails until `clear()`. */
  always(operation: string, fault: ServiceErrorName | Fault): this {
    this.permanent.set(operation, toFault(fault));
    return this;
  }

  /** Fail a seeded-random share of calls. */
  randomly(options: RandomFaultOptions): this {
    this.random = { options, next: mulberry32(options.seed) };
    return this;
  }

  /** Scripted faults not yet consumed, per operation. */
  pending(operation: string): number {
    return this.scripted.get(operation)?.length ?? 0;
  }

  clear(): void {
    this.scripted.clear();
    this.permanent.clear();
    this.random = undefined;
  }

  /** Decide the fault for one call (consumes scripted entries and PRNG draws). */
  take(operation: string): Fault | undefined {
    const queue = this.scripted.get(operation);
    if (queue && queue.length > 0) return queue.shift();
    const always = this.permanent.get(operation);
    if (always) return always;
    if (!this.random) return undefined;
    const { options, next } = this.random;
    if (options.operations && !options.operations.includes(operation)) return undefined;
    if (next() >= options.rate) return undefined;
    const errors = options.errors ?? ['ThrottledRequestException', 'InternalServiceException', 'DependencyException'];
    const error = errors[Math.floor(next() * errors.length)];
    // Throttling is decided at the front door, so only server faults can strike after the work was done.
    const serverFault = error === 'InternalServiceException' || error === 'DependencyException';
    const afterApply = serverFault && next() < (options.afterApplyShare ?? 0);
    return { error, afterApply };
  }
}

function toFault(f: ServiceErrorName | Fault): Fault {
  return typeof f === 'string' ? { error: f } : f;
}
