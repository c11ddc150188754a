/**
 * What one sandbox may spend on KMS RSA Decrypts, whoever sends the requests. The endpoint's URL is public (Meta
 * cannot sign in), so a flood of well-formed requests reaches KMS unless something counts: KMS's RSA quota (500
 * requests a second per account and Region) is shared by every RSA key of the account.
 *
 * The bound: at most `perSecond` Decrypts in any window of one second per sandbox (a sliding window, so a burst
 * cannot double it at a window's edge as a token bucket of the same size would), every attempt counted, the SDK's
 * retries and the previous key of a rotation included. A sandbox serves one request at a time, so an endpoint whose
 * concurrency is capped at C sandboxes spends at most C × perSecond Decrypts a second: with the defaults
 * (`ENDPOINT_DEFAULT_RESERVED_CONCURRENCY` 20 × `KMS_DECRYPTS_PER_SECOND_PER_SANDBOX` 5) 100 a second, a fifth of
 * the quota.
 *
 * A Decrypt whose turn comes within `maxWaitMs` waits for it: the sandbox stays busy, so Lambda sends concurrent
 * requests to other sandboxes (up to the reserved concurrency, beyond which Lambda itself answers 429 without
 * running the function) and honest traffic gets the whole C × perSecond. One whose turn is further away is refused
 * at once (DecryptThrottledError): the wait is short next to Meta's 10 seconds and never grows with the flood.
 */

/** No Decrypt may be sent now or within the wait allowed: the request is refused (429) without calling KMS. */
export class DecryptThrottledError extends Error {
  constructor() {
    super('the sandbox has spent its KMS Decrypts for this second');
    this.name = 'DecryptThrottledError';
  }
}

/** The longest a Decrypt waits for its turn before the request is refused instead. */
export const DECRYPT_MAX_WAIT_MS = 250;

const WINDOW_MS = 1_000;

export class DecryptBudget {
  /** When the last `perSecond` Decrypts were (or will be) sent, oldest first. */
  private readonly sent: number[] = [];

  constructor(
    private readonly perSecond: number,
    private readonly maxWaitMs = DECRYPT_MAX_WAIT_MS,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(perSecond) || perSecond < 1) throw new Error(`a sandbox needs a whole number of Decrypts a second, at least 1, not ${perSecond}`);
  }

  /**
   * Reserves one Decrypt: the milliseconds to wait before sending it (0: now), or undefined when its turn is
   * further away than the wait allowed (nothing is reserved then).
   */
  reserve(): number | undefined {
    const now = this.now();
    const at = this.sent.length < this.perSecond ? now : Math.max(now, this.sent[this.sent.length - this.perSecond] + WINDOW_MS);
    if (at - now > this.maxWaitMs) return undefined;
    this.sent.push(at);
    if (this.sent.length > this.perSecond) this.sent.shift();
    return at - now;
  }
}
