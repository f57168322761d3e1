import { Worker } from 'node:worker_threads';

/**
 * WAL pages the service's own connection lets pile up before it checkpoints by itself: the
 * fallback when the checkpointer thread falls behind (about 40 MB of WAL).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Copies SQLite's write-ahead log back into the database file from a worker thread with a
 * connection of its own, so the service's event loop never does it. SQLite's automatic checkpoint
 * runs inside the COMMIT that crosses 1,000 WAL pages: measured under load here, about one commit
 * in 30 took 5-50 ms (copying pages and two fsyncs) and together they blocked the event loop longer
 * than all other commits. A PASSIVE checkpoint waits for no reader or writer, and the writer
 * restarts the WAL from its start once everything in it is in the database file.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, everyMs: number, onError: (message: string) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, everyMs },
    });
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    this.worker.on('error', (error) => onError(error.message));
    // An idle service must still be able to exit.
    this.worker.unref();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: 'WAL checkpoint failed: ' + error.message });
  }
}, workerData.everyMs);
`;
