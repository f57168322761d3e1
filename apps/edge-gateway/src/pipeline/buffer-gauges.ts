import { Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { bufferReport } from './buffer-size';

const BYTES = 'plantbridge_buffer_bytes';
const MAX_BYTES = 'plantbridge_buffer_max_bytes';
const OLDEST_AGE = 'plantbridge_buffer_oldest_age_seconds';

/**
 * The store-and-forward buffer's size against its bound and how far behind it is, measured at each
 * scrape: alert on bytes / max_bytes before anything is dropped, and on the age during an outage.
 */
export function registerBufferGauges(dataSource: DataSource, maxBytes: number): void {
  // Registered again by each app instance of one process (tests).
  for (const name of [BYTES, MAX_BYTES, OLDEST_AGE]) register.removeSingleMetric(name);
  new Gauge({
    name: BYTES,
    help: 'Store-and-forward buffer size in bytes as BUFFER_MAX_BYTES bounds it: the SQLite database file and WAL on disk, on PostgreSQL the unpublished outbox rows',
    async collect() {
      this.set((await bufferReport(dataSource, maxBytes)).bytes);
    },
  });
  new Gauge({
    name: MAX_BYTES,
    help: 'The store-and-forward bound (BUFFER_MAX_BYTES); over it telemetry is dropped first, then the oldest events',
    collect() {
      this.set(maxBytes);
    },
  });
  new Gauge({
    name: OLDEST_AGE,
    help: 'Age in seconds of the oldest event not yet published to JetStream (0 when none waits)',
    async collect() {
      this.set((await bufferReport(dataSource, maxBytes)).oldestAgeSeconds);
    },
  });
}
