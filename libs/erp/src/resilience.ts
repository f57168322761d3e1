import {
  BrokenCircuitError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IPolicy,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';
import { ErpError, ErpInDoubtError, ErpLockedError, ErpTransientError, ErpUnavailableError } from './errors';
import { erpMetrics } from './metrics';

export interface ResilienceSettings {
  /**
   * Calls at once to each ERP endpoint (OData service) from this process; more wait in line. Bounds
   * an endpoint's rate to limit ÷ latency (postings: × the confirmations per `$batch`).
   */
  maxInFlight: number;
  /** Another limit for some endpoints, by OData service name (`API_PRODUCTION_ORDER_2_SRV`). */
  maxInFlightByEndpoint?: Readonly<Record<string, number>>;
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

/** How busy one ERP endpoint is right now. */
export interface EndpointLoad {
  /** The OData service, e.g. `API_PROD_ORDER_CONFIRMATION_2_SRV`. */
  endpoint: string;
  maxInFlight: number;
  inFlight: number;
  /** Calls waiting for a slot. */
  waiting: number;
}

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
 * for a slot of its endpoint, is retried on throttling and outages with backoff that honours
 * `Retry-After`, and each attempt counts towards the breaker. In-doubt writes are never retried
 * here: their caller must look the posting up first. Business rejections pass straight through; a
 * lock held by another user (ErpLockedError) is retried but not counted, since ERP answered.
 *
 * Each endpoint (OData service) has slots of its own, so a slow order list cannot hold the slots
 * that confirmations are posted through; the breaker is shared, because an ERP that fails one
 * service is usually down for all.
 */
export class ErpResilience {
  private readonly breaker;
  private readonly endpoints = new Map<string, EndpointSlots>();

  constructor(
    private readonly settings: ResilienceSettings,
    /** The OData services calls go to, by name. */
    endpoints: readonly string[],
  ) {
    const overrides = settings.maxInFlightByEndpoint ?? {};
    const unknown = Object.keys(overrides).filter((name) => !endpoints.includes(name));
    if (unknown.length) {
      throw new Error(
        `in-flight limit for unknown ERP endpoint ${unknown.join(', ')}; known: ${endpoints.join(', ')}`,
      );
    }
    // A lock held by another user is retried, but says nothing about ERP's health.
    const erpFailed = (e: Error) =>
      (e instanceof ErpTransientError && !(e instanceof ErpLockedError)) || e instanceof ErpInDoubtError;
    this.breaker = circuitBreaker(handleWhen(erpFailed), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    const retryPolicy = retry(
      handleWhen((e) => e instanceof ErpTransientError && (e.retryAfterMs ?? 0) <= settings.maxDelayMs),
      {
        maxAttempts: settings.maxAttempts - 1,
        backoff: new RetryAfterBackoff(
          new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs }),
        ),
      },
    );
    for (const endpoint of endpoints) {
      const limit = overrides[endpoint] ?? settings.maxInFlight;
      const policy = wrap(bulkhead(limit, Number.MAX_SAFE_INTEGER), retryPolicy, this.breaker);
      this.endpoints.set(endpoint, new EndpointSlots(endpoint, limit, policy));
    }
    this.breaker.onStateChange((state) => erpMetrics.breakerState.set(breakerGauge(state)));
  }

  get breakerState(): BreakerState {
    return describeState(this.breaker.state);
  }

  /** Whether the service calls this endpoint. */
  has(endpoint: string): boolean {
    return this.endpoints.has(endpoint);
  }

  /** The endpoint's in-flight limit. */
  maxInFlightOf(endpoint: string): number {
    return this.slotsOf(endpoint).load().maxInFlight;
  }

  /** Every endpoint's limit and load. */
  load(): EndpointLoad[] {
    return [...this.endpoints.values()].map((slots) => slots.load());
  }

  async execute<T>(endpoint: string, operation: string, call: () => Promise<T>): Promise<T> {
    const slots = this.slotsOf(endpoint);
    const stop = erpMetrics.requestSeconds.startTimer({ operation });
    try {
      const result = await slots.execute(call);
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

  private slotsOf(endpoint: string): EndpointSlots {
    const slots = this.endpoints.get(endpoint);
    if (!slots)
      throw new Error(`ERP endpoint ${endpoint} is not one of ${[...this.endpoints.keys()].join(', ')}`);
    return slots;
  }
}

/** One endpoint's bulkhead, counting its calls in flight and waiting for the status and /metrics. */
class EndpointSlots {
  private inFlight = 0;
  private waiting = 0;

  constructor(
    private readonly endpoint: string,
    private readonly limit: number,
    private readonly policy: IPolicy,
  ) {
    erpMetrics.maxInFlight.set({ endpoint }, limit);
    this.report();
  }

  async execute<T>(call: () => Promise<T>): Promise<T> {
    this.waiting++;
    let admitted = false;
    this.report();
    try {
      return await this.policy.execute(() => {
        if (!admitted) {
          admitted = true;
          this.waiting--;
          this.inFlight++;
          this.report();
        }
        return call();
      });
    } finally {
      if (admitted) this.inFlight--;
      else this.waiting--;
      this.report();
    }
  }

  load(): EndpointLoad {
    return {
      endpoint: this.endpoint,
      maxInFlight: this.limit,
      inFlight: this.inFlight,
      waiting: this.waiting,
    };
  }

  private report(): void {
    erpMetrics.inFlight.set({ endpoint: this.endpoint }, this.inFlight);
    erpMetrics.waiting.set({ endpoint: this.endpoint }, this.waiting);
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
