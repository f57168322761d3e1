import { statSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../test/databases';
import { SqliteCheckpointer } from './sqlite-checkpointer';

const MB = 1024 * 1024;

describe('SQLite WAL checkpoints in a thread of their own', () => {
  const opened: Array<{ database: TestDatabase; dataSource: DataSource }> = [];
  afterAll(async () => {
    for (const { database, dataSource } of opened) {
      await dataSource.destroy();
      await database.cleanup();
    }
  });

  /**
   * Writes about 10 MB in 100 transactions, 10 ms apart; the WAL file's size after it. The WAL file
   * only restarts once a checkpoint has caught up with every write, so on a slow disk it can still
   * reach a few MB; what matters is that it stays well below the 10 MB it reaches without.
   */
  async function walAfterWriting(withCheckpointer: boolean): Promise<number> {
    const database = await createTestDatabase('sqlite');
    const dataSource = await openDataSource(database.settings);
    opened.push({ database, dataSource });
    const file = dataSource.options.database as string;
    const checkpointer = withCheckpointer ? new SqliteCheckpointer(file, 20, (m) => fail(m)) : undefined;
    await dataSource.query('CREATE TABLE scratch (v BLOB)');
    for (let i = 0; i < 100; i++) {
      await dataSource.transaction((m) => m.query('INSERT INTO scratch VALUES (randomblob(100000))'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await checkpointer?.stop();
    return statSync(`${file}-wal`).size;
  }

  it('keeps the WAL small while the service writes; without it the WAL grows with every write', async () => {
    // The service's own connection checkpoints only past FALLBACK_AUTOCHECKPOINT_PAGES (about 40 MB).
    const without = await walAfterWriting(false);
    expect(without).toBeGreaterThan(9 * MB);
    expect(await walAfterWriting(true)).toBeLessThan(without / 2);
  });
});
