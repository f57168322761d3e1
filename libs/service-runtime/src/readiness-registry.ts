import { Injectable } from '@nestjs/common';

/** A service-specific readiness check: up or down, with details for the operator. */
export type ReadinessCheck = () => Promise<{ up: boolean; details: Record<string, unknown> }>;

/**
 * Where an app adds its own readiness checks (OPC UA endpoints, …) to `/health/ready`, next to
 * the database, NATS and consumers. Register from a provider's `onModuleInit`.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks];
  }
}
