import { RetryBudgetExhausted, retryAfterMs, ThrottleBackoff, ThrottledOut, withRetry } from '../../src/provider/retry';

const throttled = (headers?: Record<string, string>) =>
  Object.assign(new Error('slow down'), { name: 'ThrottledRequestException', $metadata: { httpStatusCode: 429 }, $response: { headers } });
const serverError = () => Object.assign(new Error('boom'), { name: 'InternalServiceException', $metadata: { httpStatusCode: 500 } });

/** A retry loop whose sleeps are recorded instead of slept, against a clock the sleeps advance. */
function harness(remaining = 60_000) {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    options: (throttle?: ThrottleBackoff) => ({
      remainingMs: () => remaining - now,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      log: () => undefined,
      sleep: async (ms: number) => { sleeps.push(ms); now += ms; },
      throttle,
    }),
  };
}

describe('ThrottleBackoff', () => {
  test('the first refusal spreads its wait wide; later ones grow with decorrelated jitter, capped', () => {
    const backoff = new ThrottleBackoff({ random: () => 1 });
    expect(backoff.next()).toBe(12_000);
    expect(backoff.next()).toBe(12_000);
    const low = new ThrottleBackoff({ random: () => 0 });
    expect(low.next()).toBe(1_000);
    expect(low.next()).toBe(1_000);
  });

  test('a served call halves what the last refusal taught, and paces the next call; back to nothing when small', () => {
    const backoff = new ThrottleBackoff({ random: () => 0.5 });
    const first = backoff.next();
    expect(first).toBe(6_500);
    backoff.served();
    expect(backoff.takePause()).toBe(Math.round(0.5 * 6_500 * 0.6));
    expect(backoff.takePause()).toBe(0);
    expect(backoff.lastDelayMs).toBe(3_250);
    backoff.served();
    backoff.served();
    expect(backoff.lastDelayMs).toBe(0);
  });

  test('Retry-After is the floor of the wait, with jitter on top', () => {
    const backoff = new ThrottleBackoff({ random: () => 0 });
    expect(backoff.next(30_000)).toBe(30_000);
    expect(retryAfterMs(throttled({ 'retry-after': '7' }))).toBe(7_000);
    expect(retryAfterMs(throttled({ 'retry-after': new Date(61_000).toUTCString() }), 1_000)).toBe(60_000);
    expect(retryAfterMs(throttled())).toBeUndefined();
  });
});

describe('withRetry', () => {
  test('throttling waits on its own ladder, 5xx on the exponential one', async () => {
    const h = harness();
    const errors = [throttled(), serverError(), serverError()];
    const result = await withRetry('Op', async () => {
      const e = errors.shift();
      if (e) throw e;
      return 'ok';
    }, h.options(new ThrottleBackoff({ random: () => 0 })));
    expect(result).toBe('ok');
    // 1 s for the refusal (the ladder's minimum); 250 and 500 ms for the 5xx (half of 500 x 2^n at the lowest jitter).
    expect(h.sleeps[0]).toBe(1_000);
    expect(h.sleeps[1]).toBeGreaterThanOrEqual(250);
    expect(h.sleeps[1]).toBeLessThanOrEqual(500);
    expect(h.sleeps[2]).toBeGreaterThanOrEqual(500);
    expect(h.sleeps[2]).toBeLessThanOrEqual(1_000);
  });

  test('a budget spent on throttling alone is ThrottledOut: the request was never applied', async () => {
    const h = harness(30_000);
    const error = await withRetry('Op', async () => { throw throttled(); }, h.options()).catch((e) => e);
    expect(error).toBeInstanceOf(ThrottledOut);
    expect(error.name).toBe('RetryBudgetExhausted');
  });

  test('a budget that also saw a 5xx is plain RetryBudgetExhausted: the request may have been applied', async () => {
    const h = harness(30_000);
    let calls = 0;
    const error = await withRetry('Op', async () => { throw calls++ === 0 ? serverError() : throttled(); }, h.options()).catch((e) => e);
    expect(error).toBeInstanceOf(RetryBudgetExhausted);
    expect(error).not.toBeInstanceOf(ThrottledOut);
  });

  test('errors that are not retryable fail at once', async () => {
    const h = harness();
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    await expect(withRetry('Op', async () => { throw denied; }, h.options())).rejects.toBe(denied);
    expect(h.sleeps).toEqual([]);
  });
});

describe('ThrottleBackoff over a long wait', () => {
  test('refusals that go on for a minute without a served call may wait up to a minute; a served call ends that', () => {
    let now = 0;
    const backoff = new ThrottleBackoff({ random: () => 1, now: () => now });
    expect(backoff.next()).toBe(12_000);
    now = 30_000;
    expect(backoff.next()).toBe(12_000);
    now = 61_000;
    expect(backoff.next()).toBe(36_000);
    expect(backoff.next()).toBe(60_000);
    backoff.served();
    expect(backoff.next()).toBe(12_000);
  });

  test('a continuation after a long wait starts from the long cap', () => {
    let now = 100_000;
    const backoff = new ThrottleBackoff({ random: () => 1, now: () => now });
    backoff.continueStreak(0);
    expect(backoff.next()).toBe(12_000);
    expect(backoff.next()).toBe(36_000);
  });
});
