import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JetStreamConnection } from '../connection/jetstream-connection';

/** Readiness of the broker connection: a round trip to the server within the timeout. */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly connection: JetStreamConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'nats', timeoutMs = 2000): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      const rttMs = await this.connection.ping(timeoutMs);
      return indicator.up({ rttMs });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
