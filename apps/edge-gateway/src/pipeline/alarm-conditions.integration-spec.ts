import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSourceOptionsFor } from '@plantbridge/persistence';
import { createTestSchema, type TestSchema } from '@plantbridge/testing';
import { DataSource } from 'typeorm';
import { AlarmConditionState1764220000000 } from '../migrations/1764220000000-alarm-condition-state';
import type { ConditionState } from '../normalization/condition-tracker';
import { AlarmConditionStateRecord } from './alarm-condition-state.entity';
import { AlarmConditions } from './alarm-conditions';

const state = (fields: Partial<ConditionState>): ConditionState => ({
  endpointId: 'line1',
  conditionId: 'ns=1;s=Line1.M01.Alarm',
  equipmentId: 'P100-L1-M01',
  lastEventId: '0157b6c5a1f0',
  active: true,
  activeSince: '2026-11-26T08:00:00.000Z',
  acked: false,
  severity: 800,
  message: 'Spindle over temperature',
  sourceNode: 'ns=1;s=Line1.M01',
  sourceName: 'M01',
  suppressedOrShelved: true,
  updatedAt: '2026-11-26T08:00:01.000Z',
  ...fields,
});

describe.each(['sqlite', 'postgres'] as const)('alarm condition state on %s', (kind) => {
  let dataDir: string;
  let schema: TestSchema | undefined;
  let dataSource: DataSource;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'alarm-conditions-'));
    if (kind === 'postgres') schema = await createTestSchema('alarmcond');
    dataSource = await new DataSource(
      dataSourceOptionsFor({
        serviceName: 'edge-gateway',
        databaseUrl: schema?.url,
        schema: schema?.schema,
        dataDir,
        entities: [AlarmConditionStateRecord],
        migrations: [AlarmConditionState1764220000000],
      }),
    ).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads back what a flush saved, typed as it was (booleans, a missing activation time), per endpoint', async () => {
    const saved = [
      state({}),
      state({ conditionId: 'ns=1;s=Line1.M02.Alarm', active: false, acked: true, activeSince: null }),
      state({ endpointId: 'line2', suppressedOrShelved: false }),
    ];
    await dataSource.transaction((m) =>
      AlarmConditions.save(m, new Map(saved.map((s) => [`${s.endpointId} ${s.conditionId}`, s]))),
    );
    // A later flush replaces a condition's row.
    const acknowledged = state({ acked: true, lastEventId: '0157b6c5a1f1' });
    await dataSource.transaction((m) => AlarmConditions.save(m, new Map([['line1 M01', acknowledged]])));
    const rows = await dataSource.manager.find(AlarmConditionStateRecord, {
      order: { endpointId: 'ASC', conditionId: 'ASC' },
    });
    expect(rows.map((r) => ({ ...r }))).toEqual([acknowledged, saved[1], saved[2]]);
  });
});
