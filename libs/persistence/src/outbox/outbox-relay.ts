import {
  deadLetterSubject,
  type EventPublisher,
  HEADER,
  type HeaderMap,
  MessageTooLargeError,
  type MessagingLogger,
} from '@plantbridge/messaging';
import { Counter } from 'prom-client';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { EntityTable, runSql, tableName } from '../entity-table';
import type { UnitOfWork } from '../unit-of-work';
import { OutboxMessage } from './outbox-message.entity';

const outbox = new EntityTable(OutboxMessage);

export interface OutboxRelayOptions {
  /** Look for rows this often when nothing woke the relay (rows of another replica, a restart). */
  pollMs: number;
  /** Most rows read and published at once. */
  batchSize: number;
  /**
   * About how many bytes of bodies a batch may hold: fewer rows are read when rows are large (a
   * telemetry report is ~250 kB), so a replay after an outage does not hold hundreds of MB at once.
   */
  maxBatchBytes: number;
  /** After a failed publish, wait this long before the next try, doubling up to `maxBackoffMs`. */
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RELAY_OPTIONS: OutboxRelayOptions = {
  pollMs: 1000,
  batchSize: 256,
  maxBatchBytes: 4 * 1024 * 1024,
  minBackoffMs: 250,
  maxBackoffMs: 10_000,
};

const relayed = new Counter({
  name: 'plantbridge_outbox_relayed_total',
  help: 'Outbox rows published to JetStream',
});
const failures = new Counter({
  name: 'plantbridge_outbox_failures_total',
  help: 'Failed outbox publish attempts',
});
const setAside = new Counter({
  name: 'plantbridge_outbox_undeliverable_total',
  help: 'Outbox rows the broker can never take (above max_payload), set aside and dead-lettered by reference',
});

/** An outbox row the broker refused for good, as a service's `onUndeliverable` listener gets it. */
export interface UndeliverableRow {
  subject: string;
  messageId: string;
  body: string;
  reason: string;
}

/**
 * Publishes committed outbox rows to JetStream in insertion order, with the event id as
 * `Nats-Msg-Id`, and marks them published after the PubAck. A crash between PubAck and marking
 * re-sends the row, and the stream's duplicate window drops it. While NATS is unreachable rows stay
 * in the table and the relay backs off; nothing is lost and the service keeps working.
 *
 * Replicas of a service may relay the same rows at the same time; the stream keeps one copy of
 * each (same `Nats-Msg-Id`), so this costs work, not correctness.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pending = false;
  /** Waiting out a failure: new commits must not cut the backoff short (NATS is still away). */
  private backingOff = false;
  /** Rows to read next; adapts to the size of the rows read last. */
  private limit: number;
  private readonly undeliverable: Array<(row: UndeliverableRow) => Promise<void>> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly publisher: EventPublisher,
    private readonly logger: MessagingLogger,
    private readonly options: OutboxRelayOptions = DEFAULT_RELAY_OPTIONS,
    /** Names the DLQ subject of set-aside rows: `dlq.OUTBOX.<service>`. */
    private readonly serviceName = 'service',
  ) {
    this.limit = Math.min(options.batchSize, FIRST_BATCH_ROWS);
  }

  /**
   * Called for a row the broker can never take, before it is set aside; what the event reported must
   * not wait for it (production-order-sync sends its posting to the exception queue). A listener
   * that throws leaves the row in place, to be tried again with the next batch.
   */
  onUndeliverable(listener: (row: UndeliverableRow) => Promise<void>): void {
    this.undeliverable.push(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was committed: look now instead of at the next poll. */
  notify(): void {
    this.pending = true;
    if (!this.backingOff) this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Rows not yet published, for metrics and readiness. */
  backlog(): Promise<number> {
    return this.dataSource.getRepository(OutboxMessage).countBy({ publishedAt: IsNull() });
  }

  private async run(): Promise<void> {
    let backoff = this.options.minBackoffMs;
    while (this.running) {
      this.pending = false;
      try {
        const { published, full } = await this.relayBatch();
        backoff = this.options.minBackoffMs;
        if (full && published) continue;
        if (!this.pending) await this.sleep(this.options.pollMs);
      } catch (error) {
        failures.inc();
        this.logger.warn(`outbox relay: ${(error as Error).message}; retrying in ${backoff} ms`);
        this.backingOff = true;
        await this.sleep(backoff);
        this.backingOff = false;
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * Publishes one batch; says how many rows it marked published and whether the batch was full (more
   * may be waiting). Throws if any publish failed.
   */
  private async relayBatch(): Promise<{ published: number; full: boolean }> {
    const limit = this.limit;
    const rows = await unpublished(this.dataSource.manager, limit);
    if (!rows.length) return { published: 0, full: false };
    this.limit = nextBatchRows(
      rows.reduce((sum, row) => sum + row.body.length, 0) / rows.length,
      this.options,
    );

    // All publishes of the batch in flight at once; awaiting each in turn caps the relay at one
    // round trip per row. No transaction is held open across the network.
    const results = await Promise.allSettled(
      rows.map((row) =>
        this.publisher.publishRaw({
          subject: row.subject,
          data: row.body,
          msgId: row.messageId,
          headers: JSON.parse(row.headers) as HeaderMap,
        }),
      ),
    );
    // Mark the unbroken run of successes from the start: the rows after a failure go again, in
    // order, and those that did reach the stream are dropped there as duplicates. A row the broker
    // can never take is set aside on the way (it would otherwise hold every later row back forever).
    const done: OutboxMessage[] = [];
    const asideRows: Array<{ row: OutboxMessage; reason: string }> = [];
    let failed: { row: OutboxMessage; reason: string } | undefined;
    for (const [i, row] of rows.entries()) {
      const result = results[i] as PromiseSettledResult<unknown>;
      if (result.status === 'fulfilled') {
        done.push(row);
        continue;
      }
      if (result.reason instanceof MessageTooLargeError) {
        const reason = `undeliverable: ${result.reason.message}`;
        const aside = await this.setAside(row, reason).then(
          () => true,
          (error: unknown) => ((failed = { row, reason: String(error) }), false),
        );
        if (!aside) break;
        asideRows.push({ row, reason });
        done.push(row);
        continue;
      }
      failed = { row, reason: String(result.reason) };
      break;
    }
    const reason = failed?.reason ?? '';
    await this.unitOfWork.transaction(async (manager) => {
      if (done.length) await markPublished(manager, done);
      for (const aside of asideRows) {
        await outbox.update(
          manager,
          { position: aside.row.position },
          { lastError: aside.reason.slice(0, 2000) },
        );
      }
      if (failed?.row) {
        await outbox.update(
          manager,
          { position: failed.row.position },
          { attempts: failed.row.attempts + 1, lastError: reason.slice(0, 2000) },
        );
      }
    });
    relayed.inc(done.length - asideRows.length);
    if (failed?.row) {
      throw new Error(
        `published ${done.length} of ${rows.length} rows; ${failed.row.subject} failed: ${reason}`,
      );
    }
    return { published: done.length, full: rows.length === limit };
  }

  /**
   * Tells the listeners, then dead-letters a reference to the row (its subject, message id and size;
   * the body stays in the outbox table for OUTBOX_RETENTION_HOURS).
   */
  private async setAside(row: OutboxMessage, reason: string): Promise<void> {
    const undeliverable = { subject: row.subject, messageId: row.messageId, body: row.body, reason };
    for (const listener of this.undeliverable) await listener(undeliverable);
    await this.publisher.publishRaw({
      subject: deadLetterSubject('OUTBOX', this.serviceName),
      data: '',
      msgId: `dlq:outbox:${row.messageId}`,
      headers: {
        [HEADER.deadLetterReason]: reason,
        [HEADER.originalSubject]: row.subject,
        [HEADER.originalMsgId]: row.messageId,
        [HEADER.originalSize]: String(row.body.length),
      },
    });
    setAside.inc();
    this.logger.error(`outbox relay: set aside ${row.subject} (${row.messageId}): ${reason}`);
  }
}

/*
 * The relay's two statements run once per batch, and at low load a batch is one event: as plain SQL
 * they cost a fraction of TypeORM's query builder (see EntityTable), and each is one statement text
 * whatever the batch size, so SQLite prepares it once.
 */

/** The oldest rows not yet published, in insertion order. */
async function unpublished(manager: EntityManager, limit: number): Promise<OutboxMessage[]> {
  const { rows } = await runSql(
    manager,
    `SELECT * FROM ${tableName(manager, OutboxMessage)} WHERE published_at IS NULL ORDER BY position LIMIT ?`,
    [limit],
  );
  return rows.map((row) => outbox.fromRow(manager, row));
}

async function markPublished(manager: EntityManager, rows: OutboxMessage[]): Promise<void> {
  const positions = rows.map((row) => Number(row.position));
  // The positions as one parameter: an array on PostgreSQL, a JSON array on SQLite.
  const [condition, parameter] =
    manager.connection.options.type === 'postgres'
      ? ['position = ANY(?::integer[])', positions]
      : ['position IN (SELECT value FROM json_each(?))', JSON.stringify(positions)];
  await runSql(
    manager,
    `UPDATE ${tableName(manager, OutboxMessage)} SET published_at = ? WHERE ${condition}`,
    [new Date().toISOString(), parameter],
  );
}

/**
 * The body of an event this service stored in its outbox with that message id, if it is still
 * there (published rows are kept OUTBOX_RETENTION_HOURS): how a service tells its own events from
 * others' on the same subject, e.g. before acting on one that was dead-lettered.
 */
export async function findOutboxBody(manager: EntityManager, messageId: string): Promise<string | undefined> {
  const row = await outbox.findOne(manager, { messageId });
  return row?.body;
}

/** Rows read by a relay's first batch, before it knows how large they are. */
const FIRST_BATCH_ROWS = 16;

/** How many rows of about this size (characters of body) fit one batch: 1 to `batchSize`. */
export function nextBatchRows(
  averageRowBytes: number,
  options: Pick<OutboxRelayOptions, 'batchSize' | 'maxBatchBytes'>,
): number {
  const fitting = Math.floor(options.maxBatchBytes / Math.max(averageRowBytes, 1));
  return Math.max(1, Math.min(options.batchSize, fitting));
}
