import fc from 'fast-check';
import { PermanentError, RetryLaterError } from './errors';
import { DEFAULT_RETRY_POLICY, decideSettlement, retryDelay } from './settlement';

const policy = { maxDeliveries: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0 };

describe('settlement', () => {
  it('acks a success', () => {
    expect(decideSettlement({ ok: true }, 1, policy)).toEqual({ kind: 'ack' });
  });

  it('dead-letters a permanent error at once, with its message as the reason', () => {
    expect(
      decideSettlement({ ok: false, error: new PermanentError('order 42 is closed') }, 1, policy),
    ).toEqual({
      kind: 'dead-letter',
      reason: 'order 42 is closed',
    });
  });

  it('retries a transient error with growing delay, then gives up on the last delivery', () => {
    const error = new Error('ECONNRESET');
    const settlements = [1, 2, 3, 4, 5].map((n) => decideSettlement({ ok: false, error }, n, policy));
    expect(settlements).toEqual([
      { kind: 'retry', delayMs: 100, reason: 'ECONNRESET' },
      { kind: 'retry', delayMs: 200, reason: 'ECONNRESET' },
      { kind: 'retry', delayMs: 400, reason: 'ECONNRESET' },
      { kind: 'retry', delayMs: 800, reason: 'ECONNRESET' },
      { kind: 'dead-letter', reason: 'gave up after 5 deliveries: ECONNRESET' },
    ]);
  });

  it('keeps every delay within the cap and the jitter band, and never shrinks the base', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const delay = retryDelay(n, DEFAULT_RETRY_POLICY, () => r);
          const base = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.initialDelayMs * 3 ** (n - 1),
          );
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        },
      ),
    );
  });

  it('retries after the delay a handler asked for with RetryLaterError', () => {
    const outcome = { ok: false as const, error: new RetryLaterError('ERP said Retry-After: 30', 30_000) };
    expect(decideSettlement(outcome, 1, DEFAULT_RETRY_POLICY)).toEqual({
      kind: 'retry',
      delayMs: 30_000,
      reason: 'ERP said Retry-After: 30',
    });
    expect(decideSettlement(outcome, DEFAULT_RETRY_POLICY.maxDeliveries, DEFAULT_RETRY_POLICY).kind).toBe(
      'dead-letter',
    );
  });
});
