import fc from 'fast-check';
import { CounterTracker } from './counter-tracker';
import { toMachineryItemState, StateTracker } from './state-tracker';
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
