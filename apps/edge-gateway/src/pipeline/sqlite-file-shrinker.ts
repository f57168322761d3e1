import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';

/**
 * Pages released per `incremental_vacuum` step, each its own write transaction: moving pages holds
 * SQLite's write lock, and the service's connection waits for it on the event loop (busy_timeout),
 * so the steps stay short (1 MiB at 4 kB pages, a few ms).
 */
const STEP_PAGES = 256;

/**
 * Gives the database file's free pages back to the file system and truncates the WAL, from a
 * worker thread with a connection of its own (as SqliteCheckpointer does), so the event loop that
 * reads OPC UA never waits for it. Deleting rows only puts their pages on SQLite's free list; with
 * `auto_vacuum=INCREMENTAL` (see enableIncrementalAutoVacuum) `incremental_vacuum` moves the pages
 * at the end of the file into the free ones and cuts the file. Between steps a PASSIVE checkpoint
 * lets the next step reuse the WAL; at the end a TRUNCATE checkpoint copies the WAL into the file
 * and cuts the WAL to zero bytes (it keeps its largest size otherwise). Resolves when done.
 */
export function shrinkSqliteFile(file: string): Promise<{ walTruncated: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, stepPages: STEP_PAGES },
    });
    // A stopping gateway need not wait: every step is a transaction of its own.
    worker.unref();
    worker.once('message', (message: { error?: string; walTruncated?: boolean }) => {
      if (message.error) reject(new Error(`shrinking ${file}: ${message.error}`));
      else resolve({ walTruncated: Boolean(message.walTruncated) });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`shrinking ${file}: worker exited with ${code}`)));
  });
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  const freePages = () => db.pragma('freelist_count', { simple: true });
  if (db.pragma('auto_vacuum', { simple: true }) === 2) {
    // db.pragma steps the statement to its end: incremental_vacuum frees one page per step.
    for (let free = freePages(); free > 0; ) {
      db.pragma('incremental_vacuum(' + Math.min(free, workerData.stepPages) + ')');
      db.pragma('wal_checkpoint(PASSIVE)');
      const left = freePages();
      if (left >= free) break;
      free = left;
    }
  }
  // Another checkpoint running (SqliteCheckpointer's, every 100 ms) makes this one return busy at
  // once, without waiting: try again for a while.
  let busy = 1;
  for (let attempt = 0; busy && attempt < 100; attempt++) {
    if (attempt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    busy = db.pragma('wal_checkpoint(TRUNCATE)')[0].busy;
  }
  parentPort.postMessage({ walTruncated: busy === 0 });
} catch (error) {
  parentPort.postMessage({ error: error.message });
} finally {
  db.close();
}
`;

/**
 * Switches the SQLite database to `auto_vacuum=INCREMENTAL`, so that shrinkSqliteFile can give
 * deleted rows' pages back. SQLite fixes the mode when the first table is made; an existing
 * database changes it only with a VACUUM, which rewrites the whole file (through the WAL: for a
 * moment it needs its size again on disk). Done once, at boot, before the relay, the checkpointer
 * and the OPC UA sessions start: a VACUUM cannot run inside a transaction, and the service has one
 * connection. Returns whether it converted the database; false on PostgreSQL and when done before.
 */
export async function enableIncrementalAutoVacuum(dataSource: DataSource): Promise<boolean> {
  if (dataSource.options.type !== 'better-sqlite3') return false;
  const [mode] = (await dataSource.query('PRAGMA auto_vacuum')) as Array<{ auto_vacuum: number }>;
  if (mode?.auto_vacuum === 2) return false;
  await dataSource.query('PRAGMA auto_vacuum = INCREMENTAL');
  await dataSource.query('VACUUM');
  // The VACUUM went through the WAL: put it into the file and give the WAL's space back.
  await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
  return true;
}
