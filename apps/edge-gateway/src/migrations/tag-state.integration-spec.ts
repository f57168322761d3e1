import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSourceOptionsFor, type MigrationClass } from '@plantbridge/persistence';
import { createTestSchema, type TestSchema } from '@plantbridge/testing';
import { DataSource } from 'typeorm';
import { GatewayState1764170000000 } from './1764170000000-gateway-state';
import { CountPeriods1764180000000 } from './1764180000000-count-periods';
import { CertificateAudit1764200000000 } from './1764200000000-certificate-audit';
import { TagState1764210000000 } from './1764210000000-tag-state';

const BEFORE = [GatewayState1764170000000, CountPeriods1764180000000, CertificateAudit1764200000000];

describe.each(['sqlite', 'postgres'] as const)('tag state migration on %s', (kind) => {
  let dataDir: string;
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tag-state-'));
    if (kind === 'postgres') schema = await createTestSchema('tagstate');
  });
  afterAll(async () => {
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const table = (name: string) => (schema ? `"${schema.schema}"."${name}"` : `"${name}"`);
  const open = async (migrations: MigrationClass[]) => {
    const dataSource = new DataSource(
      dataSourceOptionsFor({
        serviceName: 'edge-gateway',
        databaseUrl: schema?.url,
        schema: schema?.schema,
        dataDir,
        migrations,
      }),
    );
    return dataSource.initialize();
  };

  it('moves the counter values keyed by node id alone into tag_state, to be given to endpoints at boot', async () => {
    const before = await open(BEFORE);
    await before.query(
      `INSERT INTO ${table('counter_state')} (node_id, last_value, updated_at) VALUES ('ns=1;s=M01.Good', 1234, '2026-12-01T00:00:00.000Z')`,
    );
    await before.destroy();
    const after = await open([...BEFORE, TagState1764210000000]);
    try {
      expect(await after.query(`SELECT endpoint_id, node_id, state FROM ${table('tag_state')}`)).toEqual([
        { endpoint_id: '', node_id: 'ns=1;s=M01.Good', state: '{"counter":1234}' },
      ]);
      await expect(after.query(`SELECT * FROM ${table('counter_state')}`)).rejects.toThrow(/counter_state/);
    } finally {
      await after.destroy();
    }
  });
});
