import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { JetStreamConnection, JetStreamServer, NatsHealthIndicator } from '@plantbridge/messaging';
import { Gauge } from 'prom-client';
import { Public } from './auth/scopes';
import { ReadinessRegistry } from './readiness-registry';

/**
 * `/health/live`: the process answers (Kubernetes restarts it otherwise).
 * `/health/ready`: the service can accept work, so Kubernetes sends it traffic: the database answers
 * and the service's own checks pass. The broker and the consumers are reported in the details but do
 * not decide readiness: every service writes its events to the outbox, so during a NATS outage the
 * MES API keeps accepting confirmations (relayed once NATS is back), and taking it out of service
 * then is exactly wrong. Broker state is also the metric `plantbridge_nats_connected`.
 */
/** Kubernetes' probes call these without a token. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly server: JetStreamServer,
    private readonly registry: ReadinessRegistry,
    connection: JetStreamConnection,
  ) {
    isConnected = () => connection.isConnected();
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const [reported, result] = await Promise.all([this.brokerState(), this.readiness()]);
    if (result.ok) return withDetails(result.value, reported);
    throw new ServiceUnavailableException(withDetails(result.value, reported));
  }

  /** What decides readiness: the database and the checks the service registered. */
  private readiness(): Promise<{ ok: boolean; value: HealthCheckResult }> {
    return this.health
      .check([
        () => this.database.pingCheck('database', { timeout: 2000 }),
        ...this.registry.entries().map(([name, check]) => async () => {
          const { up, details } = await check();
          const indicator = this.indicators.check(name);
          return up ? indicator.up(details) : indicator.down(details);
        }),
      ])
      .then(
        (value) => ({ ok: true, value }),
        (error: unknown) => {
          if (!(error instanceof ServiceUnavailableException)) throw error;
          return { ok: false, value: error.getResponse() as HealthCheckResult };
        },
      );
  }

  /** Reported, not decisive: the broker connection and every consumer's state. */
  private async brokerState(): Promise<HealthIndicatorResult> {
    const consumers = this.server.consumerStates();
    const running = consumers.every((c) => c.state === 'running');
    const consumerResult = this.indicators.check('consumers');
    return {
      ...(await this.nats.isHealthy('nats')),
      ...(running ? consumerResult.up({ consumers }) : consumerResult.down({ consumers })),
    };
  }
}

let isConnected = (): boolean => false;

new Gauge({
  name: 'plantbridge_nats_connected',
  help: '1 while the service is connected to NATS, else 0 (events wait in the outbox meanwhile)',
  collect() {
    this.set(isConnected() ? 1 : 0);
  },
});

/** The readiness result with the broker's state added to `details` (and `info` or `error`). */
function withDetails(result: HealthCheckResult, reported: HealthIndicatorResult): HealthCheckResult {
  const up = Object.fromEntries(Object.entries(reported).filter(([, v]) => v.status === 'up'));
  const down = Object.fromEntries(Object.entries(reported).filter(([, v]) => v.status !== 'up'));
  return {
    ...result,
    info: { ...result.info, ...up },
    error: { ...result.error, ...down },
    details: { ...result.details, ...reported },
  };
}
