import { statSync } from 'node:fs';
import { OutboxMessage, runSql, tableName } from '@plantbridge/persistence';
import type { DataSource } from 'typeorm';

/** How big the store-and-forward buffer is, in the measure BUFFER_MAX_BYTES bounds. */
export interface BufferSize {
  /**
   * SQLite: the database file on disk, `page_count × page_size` plus the WAL file (the gateway's
   * whole database: the buffer, published rows kept for inspection, its state). PostgreSQL: the
   * bytes of the unpublished outbox rows (subject, body, headers); the server's files are its own.
   */
  bytes: number;
  /**
   * What `bytes` would be after shrinking the file: SQLite's pages in use, without free pages and
   * without the WAL (both go at the next shrink, losing nothing). On PostgreSQL the same as `bytes`.
   */
  liveBytes: number;
  /** When the oldest message not yet on JetStream was committed; undefined when there is none. */
  oldestUnpublishedAt?: string;
}

/** The file of a SQLite data source, or undefined on PostgreSQL. */
export function sqliteFileOf(dataSource: DataSource): string | undefined {
  return dataSource.options.type === 'better-sqlite3' ? (dataSource.options.database as string) : undefined;
}

export async function measureBuffer(dataSource: DataSource): Promise<BufferSize> {
  const file = sqliteFileOf(dataSource);
  const oldestUnpublishedAt = await oldestUnpublished(dataSource);
  if (file === undefined) {
    const bytes = await unpublishedBytes(dataSource);
    return { bytes, liveBytes: bytes, oldestUnpublishedAt };
  }
  const pageSize = await pragma(dataSource, 'page_size');
  const pages = await pragma(dataSource, 'page_count');
  const freePages = await pragma(dataSource, 'freelist_count');
  const wal = statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  return {
    bytes: pages * pageSize + wal,
    liveBytes: (pages - freePages) * pageSize,
    oldestUnpublishedAt,
  };
}

/** For `/health/ready` and the gauges: bytes against the bound, and the oldest message's age. */
export async function bufferReport(
  dataSource: DataSource,
  maxBytes: number,
  now = Date.now(),
): Promise<{ bytes: number; maxBytes: number; oldestAgeSeconds: number }> {
  const size = await measureBuffer(dataSource);
  const oldest = size.oldestUnpublishedAt ? Date.parse(size.oldestUnpublishedAt) : now;
  return { bytes: size.bytes, maxBytes, oldestAgeSeconds: Math.max(0, (now - oldest) / 1000) };
}

/**
 * The bytes of a row as the bound counts them. octet_length reads SQLite's record header only,
 * not the overflow pages a 220 kB body spans (length() would read the whole text to count characters).
 */
export const ROW_BYTES = 'octet_length(subject) + octet_length(body) + octet_length(headers)';

async function unpublishedBytes(dataSource: DataSource): Promise<number> {
  const manager = dataSource.manager;
  const { rows } = await runSql<{ bytes: string | number | null }>(
    manager,
    `SELECT sum(${ROW_BYTES}) AS bytes FROM ${tableName(manager, OutboxMessage)} WHERE published_at IS NULL`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

async function oldestUnpublished(dataSource: DataSource): Promise<string | undefined> {
  const manager = dataSource.manager;
  // The relay's index (published_at, position) answers this without a scan.
  const { rows } = await runSql<{ created_at: string }>(
    manager,
    `SELECT created_at FROM ${tableName(manager, OutboxMessage)} WHERE published_at IS NULL ORDER BY position LIMIT 1`,
  );
  return rows[0]?.created_at;
}

async function pragma(dataSource: DataSource, name: string): Promise<number> {
  const rows = (await dataSource.query(`PRAGMA ${name}`)) as Array<Record<string, number>>;
  return Number(rows[0]?.[name] ?? 0);
}
