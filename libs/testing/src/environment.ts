import { randomBytes } from 'node:crypto';

/** The shared NATS with JetStream that this machine (and CI) runs. */
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** The shared PostgreSQL; each test suite works in a schema of its own. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A short random token, safe in subjects, durable names, plant codes and SQL identifiers. */
export function uniqueToken(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}
