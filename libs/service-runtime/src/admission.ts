import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  HttpException,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  UseGuards,
} from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { Counter, Gauge } from 'prom-client';

/** Work the service has accepted and not finished (say, postings not yet in ERP). */
export type BacklogProbe = () => Promise<number>;

export interface AdmissionLimits {
  /** Refuse new work while the event loop lags more than this (p99 over the last second). */
  maxEventLoopDelayMs: number;
  /** Refuse new work while the backlog is above this. */
  maxBacklog: number;
  /** What `Retry-After` says, in seconds. */
  retryAfterSeconds: number;
}

const refused = new Counter({
  name: 'plantbridge_admission_refused_total',
  help: 'Requests answered 503 because the service was overloaded, by reason',
  labelNames: ['reason'],
});
const delay = new Gauge({
  name: 'plantbridge_event_loop_delay_p99_seconds',
  help: "The event loop's delay (p99) over the last second, which admission control compares",
});
const backlogGauge = new Gauge({
  name: 'plantbridge_admission_backlog',
  help: 'The backlog admission control compares (accepted work not finished)',
});

/** How often the event loop delay window and the backlog are read. */
const SAMPLE_EVERY_MS = 1000;

/**
 * Tells new work to come back later while the service is overloaded, so what it accepted gets
 * done: past `maxEventLoopDelayMs` of event-loop lag (the accepting path has taken the CPU) or past
 * `maxBacklog` of unfinished work, a route marked `@Admitted()` answers 503 with `Retry-After`
 * before it does anything. With an `Idempotency-Key` nothing was stored, so the client's retry with
 * the same key is taken as a first request. Reads, health and the exception queue are never refused.
 */
@Injectable()
export class AdmissionControl implements OnModuleInit, OnModuleDestroy {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly probes = new Map<string, BacklogProbe>();
  private timer?: NodeJS.Timeout;
  private delayMs = 0;
  private backlog = 0;

  constructor(readonly limits: AdmissionLimits) {}

  /** A service's measure of its backlog; the largest of them counts. */
  addBacklog(name: string, probe: BacklogProbe): void {
    this.probes.set(name, probe);
  }

  onModuleInit(): void {
    this.histogram.enable();
    this.timer = setInterval(() => void this.sample(), SAMPLE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  /** Why new work is refused now, or undefined when it is taken. */
  overloaded(): string | undefined {
    if (this.delayMs > this.limits.maxEventLoopDelayMs)
      return `event loop lags ${Math.round(this.delayMs)} ms (ADMISSION_MAX_EVENT_LOOP_DELAY_MS ${this.limits.maxEventLoopDelayMs})`;
    if (this.backlog > this.limits.maxBacklog)
      return `${this.backlog} accepted and not yet done (ADMISSION_MAX_BACKLOG ${this.limits.maxBacklog})`;
    return undefined;
  }

  /** Reads the window and the backlog now (the timer does it every second). */
  async sample(): Promise<void> {
    this.delayMs = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    delay.set(this.delayMs / 1000);
    const readings = await Promise.all(
      [...this.probes.values()].map((probe) => probe().catch(() => this.backlog)),
    );
    this.backlog = readings.length ? Math.max(...readings) : 0;
    backlogGauge.set(this.backlog);
  }

  /** Counts a refusal and makes its 503. */
  refusal(reason: string): HttpException {
    refused.inc({ reason: reason.startsWith('event loop') ? 'event-loop-delay' : 'backlog' });
    return new HttpException(
      {
        statusCode: 503,
        error: 'Service Unavailable',
        message: `overloaded, try again in ${this.limits.retryAfterSeconds} s: ${reason}`,
        errors: [{ field: '(service)', reason: `overloaded: ${reason}` }],
      },
      503,
    );
  }
}

@Injectable()
export class AdmissionGuard implements CanActivate {
  constructor(private readonly admission: AdmissionControl) {}

  canActivate(context: ExecutionContext): boolean {
    const reason = this.admission.overloaded();
    if (!reason) return true;
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>();
    reply.header('retry-after', String(this.admission.limits.retryAfterSeconds));
    throw this.admission.refusal(reason);
  }
}

/** A route that adds work: refused with 503 and `Retry-After` while the service is overloaded. */
export const Admitted = () =>
  applyDecorators(
    UseGuards(AdmissionGuard),
    ApiResponse({
      status: 503,
      description: 'Overloaded: come back after Retry-After (same Idempotency-Key)',
    }),
  );
