import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { JetStreamServer, NatsHealthIndicator } from '@plantbridge/messaging';
import { ReadinessRegistry } from './readiness-registry';

/**
 * `/health/live`: the process answers (Kubernetes restarts it otherwise).
 * `/health/ready`: database and NATS answer and every consumer runs (Kubernetes sends traffic only then).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly server: JetStreamServer,
    private readonly registry: ReadinessRegistry,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.nats.isHealthy('nats'),
      () => {
        const consumers = this.server.consumerStates();
        const indicator = this.indicators.check('consumers');
        return consumers.every((c) => c.state === 'running')
          ? indicator.up({ consumers })
          : indicator.down({ consumers });
      },
      ...this.registry.entries().map(([name, check]) => async () => {
        const { up, details } = await check();
        const indicator = this.indicators.check(name);
        return up ? indicator.up(details) : indicator.down(details);
      }),
    ]);
  }
}
