import {
  BrokenCircuitError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';
import { ErpError, ErpInDoubtError, ErpTransientError, ErpUnavailableError } from './errors';
import { erpMetrics } from './metrics';

export interface ResilienceSettings {
  /** Calls to ERP at once from this process; more wait in line. Bounds posting rate to limit ÷ latency. */
  maxInFlight: number;
  /** Attempts per call for throttling and outages, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  /** Longest wait between attempts inside one call; a longer `Retry-After` is left to the caller. */
  maxDelayMs: number;
  /** Consecutive failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before letting one call through. */
  halfOpenAfterMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceSettings = {
  maxInFlight: 32,
  maxAttempts: 3,
  initialDelayMs: 200,
  maxDelayMs: 5000,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
};

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/**
 * Exponential backoff with jitter that never waits less than ERP's `Retry-After`. cockatiel's
 * decorrelated-jitter generator supplies the base; the error supplies the floor.
 */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly base: IBackoffFactory<unknown>) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const base = this.base.next(context);
    const error = 'error' in context.result ? context.result.error : undefined;
    const floor = error instanceof ErpTransientError ? (error.retryAfterMs ?? 0) : 0;
    return { duration: Math.max(base.duration, floor), next: (ctx) => new RetryAfterBackoff(base).next(ctx) };
  }
}

/**
 * Bulkhead, retry and circuit breaker around every ERP call (cockatiel), in that order: a call waits
 * for a slot, is retried on throttling and outages with backoff that honours `Retry-After`, and each
 * attempt counts towards the breaker. In-doubt writes are never retried here: their caller must
 * look the posting up first. Business rejections pass straight through.
 */
export class ErpResilience {
  private readonly breaker;
  private readonly policy;

  constructor(private readonly settings: ResilienceSettings) {
    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof ErpTransientError || e instanceof ErpInDoubtError),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breakerThreshold) },
    );
    const retryPolicy = retry(
      handleWhen((e) => e instanceof ErpTransientError && (e.retryAfterMs ?? 0) <= settings.maxDelayMs),
      {
        maxAttempts: settings.maxAttempts - 1,
        backoff: new RetryAfterBackoff(
          new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs }),
        ),
      },
    );
    this.policy = wrap(bulkhead(settings.maxInFlight, Number.MAX_SAFE_INTEGER), retryPolicy, this.breaker);
    this.breaker.onStateChange((state) => erpMetrics.breakerState.set(breakerGauge(state)));
  }

  get breakerState(): BreakerState {
    return describeState(this.breaker.state);
  }

  get limits(): Pick<ResilienceSettings, 'maxInFlight' | 'halfOpenAfterMs'> {
    return { maxInFlight: this.settings.maxInFlight, halfOpenAfterMs: this.settings.halfOpenAfterMs };
  }

  async execute<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const stop = erpMetrics.requestSeconds.startTimer({ operation });
    try {
      const result = await this.policy.execute(() => call());
      erpMetrics.requests.inc({ operation, outcome: 'ok' });
      return result;
    } catch (error) {
      const mapped =
        error instanceof BrokenCircuitError
          ? new ErpUnavailableError(
              operation,
              `ERP circuit breaker is open after ${this.settings.breakerThreshold} consecutive failures; next try in at most ${this.settings.halfOpenAfterMs} ms`,
              this.settings.halfOpenAfterMs,
            )
          : error;
      erpMetrics.requests.inc({ operation, outcome: mapped instanceof ErpError ? mapped.name : 'Error' });
      throw mapped;
    } finally {
      stop();
    }
  }
}

function describeState(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Isolated:
      return 'isolated';
  }
}

const breakerGauge = (state: CircuitState): number =>
  ({ closed: 0, 'half-open': 1, open: 2, isolated: 3 })[describeState(state)];
