import { SUBJECT_ROOT } from '@plantbridge/canonical-model';
import { OutboxMessage, runSql, tableName, type UnitOfWork } from '@plantbridge/persistence';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { measureBuffer, ROW_BYTES, sqliteFileOf } from './buffer-size';
import { shrinkSqliteFile } from './sqlite-file-shrinker';

const dropped = new Counter({
  name: 'plantbridge_buffer_dropped_total',
  help: 'Events the store-and-forward buffer dropped because it was full, by kind',
  labelNames: ['kind'],
});

export interface BufferLimitSettings {
  /** BUFFER_MAX_BYTES: the bound, in the measure of measureBuffer (the SQLite file, on disk). */
  maxBytes: number;
}

/** What one check did: rows deleted by kind, and the measured size before and after. */
export interface BufferCheck {
  /** Published rows deleted before their retention ended (already on JetStream: nothing lost). */
  published: number;
  telemetry: number;
  events: number;
  bytesBefore: number;
  bytesAfter: number;
}

type DropKind = 'published' | 'telemetry' | 'events';
/** Unpublished rows, in the order they are dropped. */
const BUFFERED: DropKind[] = ['telemetry', 'events'];

/**
 * Once over the bound, the buffer is brought this far under it, so that the next checks do not
 * drop (and shrink the file) again at once.
 */
const LOW_WATER = 0.9;
const TELEMETRY_SUBJECTS = `${SUBJECT_ROOT}.telemetry.%`;
/** Rows looked at per query when choosing what to drop, and deleted per statement. */
const CHUNK = 5000;

/**
 * Bounds the store-and-forward buffer in bytes during a long broker outage (BUFFER_MAX_BYTES).
 * On SQLite the bound is the database file on disk (the WAL included), since that is what fills
 * the gateway's disk; on PostgreSQL it is the unpublished outbox rows' bytes, and giving the
 * space of deleted rows back is autovacuum's job there.
 *
 * Over the bound, and only then, what goes, oldest first, until the buffer is at 90 % of it:
 * 1. (SQLite) the file's free pages and the WAL: nothing is lost;
 * 2. (SQLite) published rows, kept only for inspection (OUTBOX_RETENTION_HOURS);
 * 3. telemetry reports, all of them before any business event;
 * 4. business events (counts, states, alarms): their data is lost, so logged as an error.
 * Every dropped message is counted in `plantbridge_buffer_dropped_total{kind}`. After deleting
 * rows the SQLite file is shrunk, so the disk gets the space back.
 */
export class BufferLimits {
  private running?: Promise<BufferCheck>;

  constructor(
    private readonly dataSource: DataSource,
    /** Deletes queue with the service's other transactions (one SQLite connection). */
    private readonly unitOfWork: UnitOfWork,
    private readonly settings: BufferLimitSettings,
    private readonly logger: {
      log(message: string): void;
      warn(message: string): void;
      error(message: string): void;
    },
  ) {}

  /** One check; a check still running (a long shrink) is joined, not started twice. */
  enforce(): Promise<BufferCheck> {
    this.running ??= this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<BufferCheck> {
    const { maxBytes } = this.settings;
    const file = sqliteFileOf(this.dataSource);
    const before = await measureBuffer(this.dataSource);
    const check: BufferCheck = {
      published: 0,
      telemetry: 0,
      events: 0,
      bytesBefore: before.bytes,
      bytesAfter: before.bytes,
    };
    if (before.bytes <= maxBytes) return check;
    if (file) await this.shrink(file);
    if ((await measureBuffer(this.dataSource)).liveBytes > maxBytes) {
      await this.dropOldest(file ? ['published', ...BUFFERED] : BUFFERED, maxBytes * LOW_WATER, check);
      if (file && check.published + check.telemetry + check.events) await this.shrink(file);
    }
    const after = await measureBuffer(this.dataSource);
    check.bytesAfter = after.bytes;
    this.report(check, after.liveBytes);
    return check;
  }

  /** A shrink that fails (the file busy, no room) must not stop the drops that bound the buffer. */
  private async shrink(file: string): Promise<void> {
    try {
      await shrinkSqliteFile(file);
    } catch (error) {
      this.logger.warn(`store-and-forward buffer: could not shrink ${file}: ${(error as Error).message}`);
    }
  }

  /**
   * Deletes the oldest rows until the live bytes are at `target`, each time of the first kind in
   * `order` that has any: a telemetry report committed meanwhile still goes before an event.
   */
  private async dropOldest(order: DropKind[], target: number, check: BufferCheck): Promise<void> {
    for (;;) {
      const excess = (await measureBuffer(this.dataSource)).liveBytes - target;
      if (excess <= 0) return;
      let chosen: { kind: DropKind; positions: number[] } | undefined;
      for (const kind of order) {
        const positions = await this.oldest(kind, excess);
        if (positions.length) {
          chosen = { kind, positions };
          break;
        }
      }
      if (!chosen) return;
      const { kind, positions } = chosen;
      await this.unitOfWork.transaction(async (manager) => {
        for (let i = 0; i < positions.length; i += CHUNK) {
          await manager.delete(OutboxMessage, positions.slice(i, i + CHUNK));
        }
      });
      if (kind !== 'published') dropped.inc({ kind }, positions.length);
      check[kind] += positions.length;
    }
  }

  /**
   * The oldest rows of a kind whose bytes add up to `bytes` (at most CHUNK rows). On SQLite a row
   * takes a little more than its bytes (keys, index entries), so the caller measures again.
   */
  private async oldest(kind: DropKind, bytes: number): Promise<number[]> {
    const manager = this.dataSource.manager;
    const { rows } = await runSql<{ position: number; bytes: number | string }>(
      manager,
      `SELECT position, ${ROW_BYTES} AS bytes FROM ${tableName(manager, OutboxMessage)}
       WHERE ${whereKind(kind)} ORDER BY position LIMIT ?`,
      kind === 'published' ? [CHUNK] : [TELEMETRY_SUBJECTS, CHUNK],
    );
    const positions: number[] = [];
    let sum = 0;
    for (const row of rows) {
      if (sum >= bytes) break;
      positions.push(Number(row.position));
      sum += Number(row.bytes);
    }
    return positions;
  }

  private report(check: BufferCheck, liveBytesAfter: number): void {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const bound = `BUFFER_MAX_BYTES=${this.settings.maxBytes}`;
    const size = `${mb(check.bytesBefore)} -> ${mb(check.bytesAfter)}`;
    if (check.published) {
      this.logger.log(
        `store-and-forward buffer over ${bound}: deleted ${check.published} published row(s) before their retention ended (${size})`,
      );
    }
    if (check.telemetry) {
      this.logger.warn(
        `store-and-forward buffer full: dropped the ${check.telemetry} oldest telemetry report(s) (limit ${bound}; ${size})`,
      );
    }
    if (check.events) {
      this.logger.error(
        `store-and-forward buffer full: dropped the ${check.events} oldest business event(s), their data is lost (limit ${bound}; ${size})`,
      );
    }
    if (check.bytesAfter <= this.settings.maxBytes) return;
    this.logger.error(
      liveBytesAfter > this.settings.maxBytes
        ? `store-and-forward buffer still over ${bound} (${size}) with nothing left to drop: the gateway's other data takes the room`
        : `the database file did not shrink under ${bound} (${size}): auto_vacuum is not INCREMENTAL or the WAL was in use`,
    );
  }
}

function whereKind(kind: DropKind): string {
  switch (kind) {
    case 'published':
      return 'published_at IS NOT NULL';
    case 'telemetry':
      return 'published_at IS NULL AND subject LIKE ?';
    case 'events':
      return 'published_at IS NULL AND subject NOT LIKE ?';
  }
}
