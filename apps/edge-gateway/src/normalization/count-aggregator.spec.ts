import type { CanonicalEvent } from '@plantbridge/canonical-model';
import fc from 'fast-check';
import { type CountedCycle, CountAggregator, type OpenCountPeriod } from './count-aggregator';

const OP_10 = { manufacturingOrder: '1000001', operation: '0010' };
const OP_20 = { manufacturingOrder: '1000001', operation: '0020' };

function cycle(good: number, scrap = 0, context = OP_10, at = '2026-11-26T10:00:00.000Z'): CountedCycle {
  return { equipmentId: 'M01', context, goodCount: good, scrapCount: scrap, unit: 'PC', sourceTimestamp: at };
}

type Counted = CanonicalEvent<'plantbridge.equipment.production-counted.v1'>;
const data = (events: CanonicalEvent[]) => (events as Counted[]).map((e) => e.data);

describe('count aggregator', () => {
  it('closes a period at the unit step with exactly the parts in it', () => {
    const aggregator = new CountAggregator({ intervalMs: 60_000, unitStep: 10 }, 'P100', 'test');
    expect(aggregator.add(cycle(4))).toEqual([]);
    expect(aggregator.add(cycle(3, 1, OP_10, '2026-11-26T10:00:05.000Z'))).toEqual([]);
    const [counted] = data(aggregator.add(cycle(2, 0, OP_10, '2026-11-26T10:00:09.000Z')));
    expect(counted).toMatchObject({
      equipmentId: 'M01',
      plant: 'P100',
      ...OP_10,
      goodCount: 9,
      scrapCount: 1,
      unit: 'PC',
      periodStart: '2026-11-26T10:00:00.000Z',
      periodEnd: '2026-11-26T10:00:09.000Z',
    });
  });

  it('closes a period when its interval passed, and not before', () => {
    let now = 0;
    const aggregator = new CountAggregator({ intervalMs: 1000 }, 'P100', 'test', [], () => now);
    aggregator.add(cycle(5));
    now = 999;
    expect(aggregator.due()).toEqual([]);
    now = 1000;
    expect(data(aggregator.due())).toMatchObject([{ goodCount: 5 }]);
    expect(aggregator.due()).toEqual([]);
  });

  it('closes the period of the previous operation when counts of another one arrive', () => {
    const aggregator = new CountAggregator({ intervalMs: 60_000 }, 'P100', 'test');
    aggregator.add(cycle(5));
    expect(data(aggregator.add(cycle(2, 0, OP_20)))).toMatchObject([{ ...OP_10, goodCount: 5 }]);
    expect(data(aggregator.close('M01'))).toMatchObject([{ ...OP_20, goodCount: 2 }]);
  });

  it('does not count cycles without an order operation', () => {
    const aggregator = new CountAggregator({ intervalMs: 0 }, 'P100', 'test');
    expect(aggregator.add({ ...cycle(5), context: undefined })).toEqual([]);
    expect(aggregator.due()).toEqual([]);
    expect(aggregator.takeChanges().size).toBe(0);
  });

  it('reports open periods to persist, and closed ones as null', () => {
    const aggregator = new CountAggregator({ intervalMs: 60_000 }, 'P100', 'test');
    aggregator.add(cycle(5));
    expect(aggregator.takeChanges().get('M01')).toMatchObject({ goodCount: 5, ...OP_10 });
    aggregator.close('M01');
    expect(aggregator.takeChanges().get('M01')).toBeNull();
  });

  it('loses and adds no part, whatever the steps, intervals, operations and restarts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(
          fc.record({
            good: fc.integer({ min: 0, max: 20 }),
            scrap: fc.integer({ min: 0, max: 3 }),
            switchOperation: fc.boolean(),
            tick: fc.boolean(),
            restart: fc.boolean(),
          }),
          { maxLength: 100 },
        ),
        (unitStep, steps) => {
          let now = 0;
          const clock = () => now;
          let persisted = new Map<string, OpenCountPeriod>();
          let aggregator = new CountAggregator({ intervalMs: 10, unitStep }, 'P100', 'test', [], clock);
          const counted = new Map<string, number>();
          const made = new Map<string, number>();
          let context = OP_10;
          const collect = (events: CanonicalEvent[]) => {
            for (const e of data(events)) {
              expect(e.goodCount + e.scrapCount).toBeGreaterThan(0);
              counted.set(e.operation, (counted.get(e.operation) ?? 0) + e.goodCount + e.scrapCount);
            }
          };
          for (const step of steps) {
            if (step.switchOperation) context = context === OP_10 ? OP_20 : OP_10;
            made.set(context.operation, (made.get(context.operation) ?? 0) + step.good + step.scrap);
            collect(aggregator.add(cycle(step.good, step.scrap, context)));
            if (step.tick) {
              now += 10;
              collect(aggregator.due());
            }
            for (const [equipment, period] of aggregator.takeChanges()) {
              if (period) persisted.set(equipment, period);
              else persisted.delete(equipment);
            }
            if (step.restart) {
              persisted = new Map(persisted);
              aggregator = new CountAggregator(
                { intervalMs: 10, unitStep },
                'P100',
                'test',
                [...persisted.values()],
                clock,
              );
            }
          }
          collect(aggregator.close('M01'));
          for (const [operation, parts] of made) expect(counted.get(operation) ?? 0).toBe(parts);
        },
      ),
    );
  });
});
