import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema } from '@plantbridge/testing';
import { DataSource } from 'typeorm';
import { type DatabaseSettings, dataSourceOptionsFor } from '../src';

/** A database of each kind Plantbridge supports, isolated for one test suite. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  settings: DatabaseSettings;
  /** Drops the suite's schema or folder. */
  cleanup(): Promise<void>;
}

export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;

export async function createTestDatabase(
  kind: TestDatabase['kind'],
  serviceName = 'test-service',
): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantbridge-db-'));
    return {
      kind,
      settings: { serviceName, dataDir },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const { schema, url, drop } = await createTestSchema();
  return {
    kind,
    settings: { serviceName, databaseUrl: url, schema, dataDir: tmpdir() },
    cleanup: drop,
  };
}

export async function openDataSource(settings: DatabaseSettings): Promise<DataSource> {
  // Quiet: some tests provoke constraint violations on purpose (racing deliveries).
  const ds = new DataSource({ ...dataSourceOptionsFor(settings), logging: false });
  await ds.initialize();
  return ds;
}
