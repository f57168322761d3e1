import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, Equipment, Telemetry } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { dataSourceOptionsFor, OutboxMessage, toOutboxRow } from '@plantbridge/persistence';
import { DataSource, IsNull } from 'typeorm';
import { BufferLimits } from './buffer-limits';

describe('store-and-forward buffer limits (SQLite, the gateway default)', () => {
  let dir: string;
  let dataSource: DataSource;
  const logged: string[] = [];
  const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
  const origin = { plant: 'P100', source: '/test' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'buffer-limits-'));
    dataSource = new DataSource({
      ...dataSourceOptionsFor({ serviceName: 'gw', dataDir: dir }),
      logging: false,
    });
    await dataSource.initialize();
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function buffer(kinds: string): Promise<void> {
    for (const kind of kinds) {
      const event =
        kind === 't'
          ? createEvent(
              Telemetry.SamplesReportedV1Event,
              samplePayload('plantbridge.telemetry.samples-reported.v1'),
              origin,
            )
          : createEvent(
              Equipment.CycleCompletedV1Event,
              samplePayload('plantbridge.equipment.cycle-completed.v1'),
              origin,
            );
      await dataSource.getRepository(OutboxMessage).insert(toOutboxRow(event));
    }
  }

  const remaining = async () =>
    (
      await dataSource
        .getRepository(OutboxMessage)
        .find({ where: { publishedAt: IsNull() }, order: { position: 'ASC' } })
    )
      .map((r) => `${r.position}${r.subject.includes('.telemetry.') ? 't' : 'e'}`)
      .join(' ');

  it('drops the oldest telemetry reports over their limit and keeps every business event', async () => {
    await buffer('tetetete');
    const limits = new BufferLimits(dataSource, { maxTelemetryReports: 2, maxEvents: 10 }, logger);
    expect(await limits.enforce()).toEqual({ telemetry: 2, events: 0 });
    expect(await remaining()).toBe('2e 4e 5t 6e 7t 8e');
    expect(logged.join('\n')).toMatch(
      /dropped the 2 oldest telemetry report\(s\).*BUFFER_MAX_TELEMETRY_REPORTS=2/,
    );
    expect(await limits.enforce()).toEqual({ telemetry: 0, events: 0 });
  });

  it('drops the oldest business events only over their own limit, and says their data is lost', async () => {
    await buffer('eeteee');
    const limits = new BufferLimits(dataSource, { maxTelemetryReports: 5, maxEvents: 3 }, logger);
    expect(await limits.enforce()).toEqual({ telemetry: 0, events: 2 });
    expect(await remaining()).toBe('3t 4e 5e 6e');
    expect(logged.at(-1)).toMatch(/dropped the 2 oldest business event\(s\), their data is lost/);
  });

  it('never counts published rows', async () => {
    await buffer('tttt');
    await dataSource
      .getRepository(OutboxMessage)
      .update({ publishedAt: IsNull() }, { publishedAt: new Date().toISOString() });
    const limits = new BufferLimits(dataSource, { maxTelemetryReports: 1, maxEvents: 1 }, logger);
    expect(await limits.enforce()).toEqual({ telemetry: 0, events: 0 });
  });
});
