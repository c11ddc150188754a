/**
 * Meta's rate limit, as a token bucket shared by every caller of the double: a call that finds no token is refused
 * with ThrottledRequestException (429) before anything is applied, as a throttled request is in the service.
 */
export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** The bucket's size: how many calls may burst at once. */
  readonly burst: number;
  /** Seconds to send in a `Retry-After` header with each refusal. @default - none, as the service sends none */
  readonly retryAfterSeconds?: number;
  /** @default - every social-messaging operation (S3 and CloudFormation are not limited) */
  readonly operations?: string[];
}

export class RateLimit {
  private options?: RateLimitOptions;
  private tokens = 0;
  private refilledAt = 0;

  /** Turns the limit on (full bucket), or off with `undefined`. */
  set(options: RateLimitOptions | undefined): this {
    this.options = options;
    this.tokens = options?.burst ?? 0;
    this.refilledAt = Date.now();
    return this;
  }

  get current(): RateLimitOptions | undefined {
    return this.options;
  }

  /** Takes a token for one call: false when the call is throttled. */
  take(operation: string, now = Date.now()): boolean {
    const o = this.options;
    if (!o || (o.operations && !o.operations.includes(operation))) return true;
    this.tokens = Math.min(o.burst, this.tokens + ((now - this.refilledAt) / 1000) * o.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
