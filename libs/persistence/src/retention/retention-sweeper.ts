import type { MessagingLogger } from '@plantbridge/messaging';
import { Counter } from 'prom-client';
import {
  type DataSource,
  type FindOptionsSelect,
  type FindOptionsWhere,
  IsNull,
  LessThan,
  Not,
} from 'typeorm';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';

export interface RetentionOptions {
  /** Published outbox rows are kept this long (for inspection), then deleted. */
  outboxMs: number;
  /** An Idempotency-Key answers replays this long. */
  idempotencyMs: number;
  /** Inbox rows must outlive any redelivery: longer than the streams' max age (7 days). */
  inboxMs: number;
  /** How often the sweep runs. */
  everyMs: number;
}

const HOUR = 3_600_000;
export const DEFAULT_RETENTION: RetentionOptions = {
  outboxMs: 24 * HOUR,
  idempotencyMs: 72 * HOUR,
  inboxMs: 8 * 24 * HOUR,
  everyMs: 10 * 60_000,
};

const BATCH = 500;

const deleted = new Counter({
  name: 'plantbridge_retention_deleted_total',
  help: 'Rows removed by the retention sweep',
  labelNames: ['table'],
});

/**
 * Keeps the platform tables from growing for ever: published outbox rows, Idempotency-Key records
 * and inbox rows older than their retention are deleted, in batches of 500 so a sweep never holds
 * the (SQLite) writer for long. Unpublished outbox rows are never touched.
 */
export class RetentionSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: MessagingLogger,
    private readonly options: RetentionOptions = DEFAULT_RETENTION,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn(`retention sweep: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; returns the rows deleted per table. */
  async sweep(now = Date.now()): Promise<{ outbox: number; idempotency: number; inbox: number }> {
    const before = (ms: number) => LessThan(new Date(now - ms).toISOString());
    const result = {
      outbox: await this.deleteInBatches(OutboxMessage, ['position'], {
        publishedAt: Not(IsNull()),
        createdAt: before(this.options.outboxMs),
      }),
      idempotency: await this.deleteInBatches(IdempotencyRecord, ['key'], {
        createdAt: before(this.options.idempotencyMs),
      }),
      inbox: await this.deleteInBatches(InboxMessage, ['consumer', 'messageId'], {
        processedAt: before(this.options.inboxMs),
      }),
    };
    for (const [table, count] of Object.entries(result)) if (count) deleted.inc({ table }, count);
    return result;
  }

  private async deleteInBatches<E extends object>(
    entity: new () => E,
    keys: Array<keyof E & string>,
    where: FindOptionsWhere<E>,
  ): Promise<number> {
    const repository = this.dataSource.getRepository(entity);
    let total = 0;
    for (;;) {
      const select = Object.fromEntries(keys.map((k) => [k, true])) as FindOptionsSelect<E>;
      const rows = await repository.find({ select, where, take: BATCH });
      if (rows.length === 0) return total;
      // Primary-key maps, so composite keys (the inbox) delete the right rows too.
      const ids = rows.map((row) => Object.fromEntries(keys.map((k) => [k, row[k]])) as FindOptionsWhere<E>);
      await repository.delete(ids);
      total += rows.length;
      if (rows.length < BATCH) return total;
    }
  }
}
