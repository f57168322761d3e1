import { PermanentError, RetryLaterError } from './errors';

export interface RetryPolicy {
  /** Deliveries before a failing message is dead-lettered (the first delivery counts). */
  maxDeliveries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Fraction of the delay randomised both ways, so replicas do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxDeliveries: 8,
  initialDelayMs: 1000,
  maxDelayMs: 5 * 60 * 1000,
  multiplier: 3,
  jitter: 0.2,
};

export type Settlement =
  | { kind: 'ack' }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'dead-letter'; reason: string };

export type HandlerOutcome = { ok: true } | { ok: false; error: unknown };

/** Delay before delivery `deliveryCount + 1`: initial × multiplier^(n-1), capped, with jitter. */
export function retryDelay(
  deliveryCount: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, deliveryCount - 1),
  );
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * What to do with a delivered message: ack after success; dead-letter at once on a permanent error;
 * otherwise retry later (after the handler's own delay when it threw RetryLaterError), until the last allowed delivery, which is dead-lettered with its error.
 */
export function decideSettlement(
  outcome: HandlerOutcome,
  deliveryCount: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Settlement {
  if (outcome.ok) return { kind: 'ack' };
  const reason = describeError(outcome.error);
  if (outcome.error instanceof PermanentError) return { kind: 'dead-letter', reason };
  if (deliveryCount >= policy.maxDeliveries) {
    return { kind: 'dead-letter', reason: `gave up after ${deliveryCount} deliveries: ${reason}` };
  }
  const delayMs =
    outcome.error instanceof RetryLaterError
      ? outcome.error.delayMs
      : retryDelay(deliveryCount, policy, random);
  return { kind: 'retry', delayMs, reason };
}
