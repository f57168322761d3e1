import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, uniqueToken } from './environment';

/** A schema of its own in the shared PostgreSQL for one test suite; `drop()` removes it with its tables. */
export interface TestSchema {
  url: string;
  schema: string;
  drop(): Promise<void>;
}

async function run(sql: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: TEST_DATABASE_URL });
  await admin.initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}

export async function createTestSchema(prefix = 's'): Promise<TestSchema> {
  const schema = uniqueToken(prefix);
  await run(`CREATE SCHEMA ${schema}`);
  return { url: TEST_DATABASE_URL, schema, drop: () => run(`DROP SCHEMA ${schema} CASCADE`) };
}
