import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, Production } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { type DatabaseSettings, dataSourceOptionsFor, UnitOfWork } from '@plantbridge/persistence';
import { createTestSchema } from '@plantbridge/testing';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { ERP_POSTING_ENTITIES, ERP_POSTING_MIGRATIONS } from '../erp-posting.feature';
import { ErpPostingLedger1764155000000 } from './migrations/1764155000000-erp-posting-ledger';
import { OpenPostingsByReference1764170000000 } from './migrations/1764170000000-open-postings-by-reference';
import { OpenPostingsInOrder1764180000000 } from './migrations/1764180000000-open-postings-in-order';
import { PostingAttemptedAt1764190000000 } from './migrations/1764190000000-posting-attempted-at';
import { type NewPosting, PostingLedger } from './posting-ledger';

/**
 * production-order-sync's first migration as it was before the ledger became a library: it made
 * the ledger itself (here through the library's migration, which holds that same first form).
 */
class OrdersConfirmationsLedger1764160000000 implements MigrationInterface {
  name = 'OrdersConfirmationsLedger1764160000000';
  up(queryRunner: QueryRunner): Promise<void> {
    return new ErpPostingLedger1764155000000().up(queryRunner);
  }
  down(): Promise<void> {
    return Promise.resolve();
  }
}
const BEFORE_THE_LIBRARY = [
  OrdersConfirmationsLedger1764160000000,
  OpenPostingsByReference1764170000000,
  OpenPostingsInOrder1764180000000,
  PostingAttemptedAt1764190000000,
];

async function databaseOf(kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantbridge-ledger-'));
    return {
      settings: { serviceName: 'ledger-test', dataDir },
      drop: async () => rmSync(dataDir, { recursive: true }),
    };
  }
  const { url, schema, drop } = await createTestSchema('ledger');
  return { settings: { serviceName: 'ledger-test', databaseUrl: url, schema, dataDir: tmpdir() }, drop };
}

async function open(settings: DatabaseSettings, migrations = ERP_POSTING_MIGRATIONS): Promise<DataSource> {
  const dataSource = new DataSource({
    ...dataSourceOptionsFor({ ...settings, entities: ERP_POSTING_ENTITIES, migrations }),
    logging: false,
  });
  return dataSource.initialize();
}

describe.each(['sqlite', 'postgres'] as const)('the ERP posting ledger on %s', (kind) => {
  let database: Awaited<ReturnType<typeof databaseOf>>;
  let dataSource: DataSource;
  let ledger: PostingLedger;
  let clock = Date.parse('2026-12-03T06:00:00Z');
  const posting = (key: string, orderingReference?: string): NewPosting => ({
    postingKey: key,
    kind: 'operation-confirmation',
    plant: 'P100',
    orderingReference,
    acceptedAt: new Date((clock += 1000)).toISOString(),
  });
  const openAll = (...postings: NewPosting[]) =>
    dataSource.transaction(async (m) => {
      for (const p of postings) await ledger.open(m, p);
    });

  beforeAll(async () => {
    database = await databaseOf(kind);
    // A service of its own: the library's migrations make the ledger with nothing else.
    dataSource = await open(database.settings);
    ledger = new PostingLedger(dataSource, new UnitOfWork(dataSource));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('opens postings pending, with their reference, and counts them open', async () => {
    await openAll(posting('k-open-1', '1000001/0010'), posting('k-open-2'));
    expect(await ledger.find('k-open-1')).toMatchObject({ state: 'pending', reference: '1000001/0010' });
    // Without an ordering reference a posting is its own reference.
    expect(await ledger.find('k-open-2')).toMatchObject({ state: 'pending', reference: 'k-open-2' });
    expect(await ledger.openCount()).toBeGreaterThanOrEqual(2);
    expect((await ledger.countsByState('P100')).pending).toBeGreaterThanOrEqual(2);
  });

  it('keeps the postings of one reference in the order they were accepted', async () => {
    const ref = '1000002/0010';
    await openAll(
      posting('k-a', ref),
      posting('k-b', ref),
      posting('k-c', ref),
      posting('k-other', '1000002/0020'),
    );
    const [a, b, c] = await Promise.all(['k-a', 'k-b', 'k-c'].map((k) => ledger.find(k)));
    expect(await ledger.waitingFor(a!)).toBeUndefined();
    expect(await ledger.waitingFor(c!)).toEqual({ key: 'k-b', failed: false });
    expect((await ledger.nextOpen(a!))?.postingKey).toBe('k-b');
    // A failed one ahead holds the rest for an operator, and is the one named.
    const failed = createEvent(
      Production.ConfirmationFailedV1Event,
      samplePayload(Production.ConfirmationFailedV1Event.type),
      { plant: 'P100', source: '/test' },
    );
    await ledger.markFailed('k-a', 'refused', 'RU/140', failed);
    expect(await ledger.waitingFor(c!)).toEqual({ key: 'k-a', failed: true });
    expect(await ledger.waitingFor(b!)).toEqual({ key: 'k-a', failed: true });
    // For a kind whose failures hold nothing back, only the open one before it counts.
    expect(await ledger.waitingFor(b!, undefined, false)).toBeUndefined();
    expect(await ledger.waitingFor(c!, undefined, false)).toEqual({ key: 'k-b', failed: false });
    // Another kind with the same reference is ordered on its own.
    await openAll({ ...posting('k-movement', ref), kind: 'goods-movement' });
    expect(await ledger.waitingFor((await ledger.find('k-movement'))!)).toBeUndefined();
  });

  it('claims a posting once: a second claim of the same reading loses', async () => {
    await openAll(posting('k-claim'));
    const seen = (await ledger.find('k-claim'))!;
    expect(await ledger.claim(seen, 60_000)).toBe(true);
    expect(await ledger.claim(seen, 60_000)).toBe(false);
    expect(await ledger.find('k-claim')).toMatchObject({ state: 'in-flight', attempts: 1 });
  });

  it('takes over a database whose ledger production-order-sync made before the library', async () => {
    const old = await databaseOf(kind);
    try {
      const before = await open(old.settings, BEFORE_THE_LIBRARY);
      await before.transaction((m) =>
        new PostingLedger(before, new UnitOfWork(before)).open(m, posting('k-before')),
      );
      await before.destroy();
      // Its ledger migration runs now, after later ones, and finds the ledger there.
      const after = await open(old.settings, [
        ...ERP_POSTING_MIGRATIONS,
        OrdersConfirmationsLedger1764160000000,
      ]);
      try {
        expect(await new PostingLedger(after, new UnitOfWork(after)).find('k-before')).toMatchObject({
          state: 'pending',
        });
      } finally {
        await after.destroy();
      }
    } finally {
      await old.drop();
    }
  });
});
