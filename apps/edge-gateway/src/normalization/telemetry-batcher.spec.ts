import { type CanonicalEvent, Telemetry } from '@plantbridge/canonical-model';
import { plainToInstance } from 'class-transformer';
import { TelemetryTag } from '../mapping/tag-mapping';
import type { TagValue } from '../opcua/tag-values';
import { TelemetryBatcher } from './telemetry-batcher';

function tag(intervalMs: number, nodeId = 'ns=1;s=M01.Temperature'): TelemetryTag {
  return plainToInstance(TelemetryTag, {
    signal: 'telemetry',
    nodeId,
    equipmentId: 'M01',
    name: 'temperature',
    intervalMs,
  });
}

function sample(t: TelemetryTag, value: unknown, at = 0) {
  const time = new Date(Date.UTC(2026, 10, 26) + at);
  return {
    tag: t,
    value: value as TagValue,
    sourceTimestamp: time,
    serverTimestamp: time,
    time,
    exactTime: true,
  };
}

type Report = CanonicalEvent<'plantbridge.telemetry.samples-reported.v1'>;
const values = (events: CanonicalEvent[]) =>
  (events as Report[]).flatMap((e) => e.data.samples.map((s) => s.value));

describe('telemetry batcher', () => {
  it('sends every change of a tag without interval, in order, split into reports of at most the maximum', () => {
    const batcher = new TelemetryBatcher('P100', 'line1', 'test');
    const every = tag(0);
    const count = Telemetry.MAX_SAMPLES_PER_REPORT + 5;
    for (let i = 0; i < count; i++) batcher.add(sample(every, i));
    const events = batcher.take() as Report[];
    expect(events.map((e) => e.data.samples.length)).toEqual([Telemetry.MAX_SAMPLES_PER_REPORT, 5]);
    expect(values(events)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(events[0].data).toMatchObject({ plant: 'P100', endpointId: 'line1' });
    expect(events[0].data.samples[0]).toMatchObject({ equipmentId: 'M01', signal: 'temperature' });
    expect(batcher.take()).toEqual([]);
  });

  it('downsamples to one value per interval and never loses the last value of a burst', () => {
    let now = 0;
    const batcher = new TelemetryBatcher('P100', 'line1', 'test', () => now);
    const slow = tag(1000);
    batcher.add(sample(slow, 1));
    now = 100;
    batcher.add(sample(slow, 2));
    batcher.add(sample(slow, 3));
    expect(values(batcher.take())).toEqual([1]);
    now = 999;
    expect(values(batcher.take())).toEqual([]);
    now = 1000;
    expect(values(batcher.take())).toEqual([3]);
    now = 1500;
    batcher.add(sample(slow, 4));
    now = 2000;
    batcher.add(sample(slow, 5));
    expect(values(batcher.take())).toEqual([5]);
  });

  it('passes numbers, booleans and strings, and skips values of other types', () => {
    const batcher = new TelemetryBatcher('P100', 'line1', 'test');
    const every = tag(0);
    for (const value of [1.5, true, 'Executing', { x: 1 }, null, Number.NaN])
      batcher.add(sample(every, value));
    expect(values(batcher.take())).toEqual([1.5, true, 'Executing', 'NaN']);
  });
});
