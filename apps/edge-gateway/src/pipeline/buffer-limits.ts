import { SUBJECT_ROOT } from '@plantbridge/canonical-model';
import { OutboxMessage } from '@plantbridge/persistence';
import { Counter } from 'prom-client';
import type { DataSource, SelectQueryBuilder } from 'typeorm';

const dropped = new Counter({
  name: 'plantbridge_buffer_dropped_total',
  help: 'Events the store-and-forward buffer dropped because it was full, by kind',
  labelNames: ['kind'],
});

export interface BufferLimitSettings {
  /** Telemetry reports (up to 2,000 samples each) kept while the broker is away; the oldest go first. */
  maxTelemetryReports: number;
  /** Business events (counts, states, alarms) kept; dropping one loses data, so keep this high. */
  maxEvents: number;
}

const TELEMETRY_SUBJECTS = `${SUBJECT_ROOT}.telemetry.%`;
const DELETE_CHUNK = 5000;

/**
 * Bounds the store-and-forward buffer (the outbox's unpublished rows) during a long broker outage.
 * The explicit policy: telemetry and business events have separate limits, so a telemetry flood
 * can never push out a part count; over a limit, the oldest rows of that kind are deleted, counted
 * on `plantbridge_buffer_dropped_total{kind}` and logged.
 */
export class BufferLimits {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: BufferLimitSettings,
    private readonly logger: { warn(message: string): void; error(message: string): void },
  ) {}

  async enforce(): Promise<{ telemetry: number; events: number }> {
    const telemetry = await this.dropOldest('telemetry', this.settings.maxTelemetryReports);
    const events = await this.dropOldest('events', this.settings.maxEvents);
    if (telemetry) {
      this.logger.warn(
        `store-and-forward buffer full: dropped the ${telemetry} oldest telemetry report(s) (limit BUFFER_MAX_TELEMETRY_REPORTS=${this.settings.maxTelemetryReports})`,
      );
    }
    if (events) {
      this.logger.error(
        `store-and-forward buffer full: dropped the ${events} oldest business event(s), their data is lost (limit BUFFER_MAX_EVENTS=${this.settings.maxEvents})`,
      );
    }
    return { telemetry, events };
  }

  private async dropOldest(kind: 'telemetry' | 'events', limit: number): Promise<number> {
    const excess = (await this.unpublished(kind).getCount()) - limit;
    if (excess <= 0) return 0;
    const oldest = await this.unpublished(kind)
      .select('o.position', 'position')
      .orderBy('o.position', 'ASC')
      .limit(excess)
      .getRawMany<{ position: number }>();
    const positions = oldest.map((r) => r.position);
    for (let i = 0; i < positions.length; i += DELETE_CHUNK) {
      await this.dataSource.getRepository(OutboxMessage).delete(positions.slice(i, i + DELETE_CHUNK));
    }
    dropped.inc({ kind }, positions.length);
    return positions.length;
  }

  private unpublished(kind: 'telemetry' | 'events'): SelectQueryBuilder<OutboxMessage> {
    return this.dataSource
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .where('o.published_at IS NULL')
      .andWhere(kind === 'telemetry' ? 'o.subject LIKE :p' : 'o.subject NOT LIKE :p', {
        p: TELEMETRY_SUBJECTS,
      });
  }
}
