import { plainToInstance } from 'class-transformer';
import fc from 'fast-check';
import { StateTag } from '../mapping/tag-mapping';
import { CounterTracker } from './counter-tracker';
import { EquipmentNormalizer, type ValueProblem } from './equipment-normalizer';
import { toMachineryItemState, StateTracker } from './state-tracker';
import { assignLegacyTagStates } from './tag-state';
import { ThresholdDetector } from './threshold-detector';

const MAX = 65_535;

describe('counter tracker', () => {
  it('counts exactly the parts made, across rollovers, whatever the sampling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX }),
        // Parts made between two samples: fewer than a tenth of the range, as any sane polling is.
        fc.array(fc.integer({ min: 0, max: Math.floor(MAX / 10) - 1 }), { minLength: 1, maxLength: 200 }),
        (start, batches) => {
          const tracker = new CounterTracker(MAX);
          tracker.observe(start);
          let plc = start;
          let counted = 0;
          for (const parts of batches) {
            plc = (plc + parts) % (MAX + 1);
            counted += tracker.observe(plc).delta;
          }
          expect(counted).toBe(batches.reduce((a, b) => a + b, 0));
        },
      ),
    );
  });

  it('makes no false count on a reset, and counts what the counter counted since', () => {
    const tracker = new CounterTracker(MAX);
    expect(tracker.observe(1200)).toEqual({ kind: 'baseline', delta: 0 });
    expect(tracker.observe(1210)).toEqual({ kind: 'increment', delta: 10 });
    expect(tracker.observe(0)).toEqual({ kind: 'reset', delta: 0 });
    expect(tracker.observe(4)).toEqual({ kind: 'increment', delta: 4 });
    expect(tracker.observe(65_530)).toEqual({ kind: 'increment', delta: 65_526 });
    expect(tracker.observe(3)).toEqual({ kind: 'rollover', delta: 9 });
  });

  it('continues from a persisted last value instead of a new baseline', () => {
    expect(new CounterTracker(MAX, 100).observe(130)).toEqual({ kind: 'increment', delta: 30 });
    expect(() => new CounterTracker(MAX).observe(-1)).toThrow(RangeError);
  });
});

describe('threshold detector', () => {
  it('does not flap on noise around a limit', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1.9, max: 1.9, noNaN: true }), { maxLength: 200 }), (noise) => {
        const detector = new ThresholdDetector({ high: 80, hysteresis: 2 });
        const events = [81, ...noise.map((n) => 80 + n)].map((v) => detector.observe(v)).filter(Boolean);
        expect(events).toEqual([{ direction: 'above-high', limit: 80 }]);
      }),
    );
  });

  it('reports leaving and re-entering the range once each, on both sides', () => {
    const detector = new ThresholdDetector({ low: 10, high: 80, hysteresis: 2 });
    const events = [50, 81, 79, 77.5, 50, 9, 11, 12.5].map((v) => detector.observe(v));
    expect(events).toEqual([
      null,
      { direction: 'above-high', limit: 80 },
      null,
      { direction: 'back-in-range', limit: 80 },
      null,
      { direction: 'below-low', limit: 10 },
      null,
      { direction: 'back-in-range', limit: 10 },
    ]);
  });
});

describe('state tracker', () => {
  it('reports changes with the previous state and how long it lasted, and ignores repeats', () => {
    const tracker = new StateTracker();
    const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 8, 0, s));
    expect(tracker.observe('Executing', at(0))).toEqual({ state: 'Executing' });
    expect(tracker.observe('Executing', at(5))).toBeNull();
    expect(tracker.observe('NotExecuting', at(30))).toEqual({
      state: 'NotExecuting',
      previousState: 'Executing',
      previousStateDurationMs: 30_000,
    });
    expect(toMachineryItemState(3)).toBe('Executing');
    expect(toMachineryItemState('OutOfService')).toBe('OutOfService');
    expect(toMachineryItemState(7)).toBeUndefined();
  });
});

describe('state values', () => {
  it('a Boolean "running" tag, OPC 40001 codes and names, and a table of vendor or PackML codes', () => {
    expect(toMachineryItemState(true)).toBe('Executing');
    expect(toMachineryItemState(false)).toBe('NotExecuting');
    const packml = { '6': 'Executing', '2': 'NotExecuting', '17': 'OutOfService' } as const;
    expect(toMachineryItemState(6, packml)).toBe('Executing');
    expect(toMachineryItemState(17, packml)).toBe('OutOfService');
    // With a table only the table counts: 3 is not a PackML state here.
    expect(toMachineryItemState(3, packml)).toBeUndefined();
    expect(toMachineryItemState('RUN', { RUN: 'Executing' })).toBe('Executing');
    expect(toMachineryItemState('toString', { RUN: 'Executing' })).toBeUndefined();
  });

  it('a value the table does not know is a named fault, and makes no event', () => {
    const problems: ValueProblem[] = [];
    const normalizer = new EquipmentNormalizer(
      'P100',
      'test',
      () => undefined,
      new Map(),
      (p) => problems.push(p),
    );
    const tag = plainToInstance(StateTag, {
      signal: 'state',
      nodeId: 'ns=1;s=M01.PackML',
      equipmentId: 'M01',
      states: { '6': 'Executing' },
    });
    const time = new Date();
    const sample = (value: number) => ({
      tag,
      value,
      sourceTimestamp: time,
      serverTimestamp: time,
      time,
      exactTime: true,
    });
    expect(normalizer.normalize(sample(6))).toHaveLength(1);
    expect(normalizer.normalize(sample(9))).toEqual([]);
    expect(problems).toEqual([
      { tag, problem: 'unknown-state', message: 'value 9 is no machine state in the tag\'s "states" table' },
    ]);
  });
});

describe('tag state from before it was kept per endpoint', () => {
  const row = (endpointId: string, nodeId: string) => ({
    endpointId,
    nodeId,
    state: '{"counter":5}',
    updatedAt: 'x',
  });
  const endpoint = (id: string, ...nodeIds: string[]) => ({
    id,
    tags: nodeIds.map((nodeId) => ({ nodeId })),
  });

  it('goes to the one endpoint that maps its node id, and is dropped where several do', () => {
    const legacy = [row('', 'n1'), row('', 'n2'), row('', 'n3'), row('', 'gone')];
    const current = [row('b', 'n3')];
    const endpoints = [endpoint('a', 'n1', 'n2'), endpoint('b', 'n2', 'n3')];
    expect(assignLegacyTagStates(legacy, current, endpoints)).toEqual({
      adopted: [row('a', 'n1')],
      ambiguous: [{ nodeId: 'n2', endpointIds: ['a', 'b'] }],
    });
  });
});
