import fc from 'fast-check';
import { DEFAULT_MACHINE_SETTINGS, MachineModel, seededRandom } from './machine-model';

const run = (seed: number, ticks: number) => {
  const machine = new MachineModel('M01', seededRandom(seed));
  const trace: Array<[number, number, number]> = [];
  for (let i = 0; i < ticks; i++) {
    machine.step();
    trace.push([machine.goodCount, machine.scrapCount, machine.temperature]);
  }
  return trace;
};

describe('machine model', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(run(42, 500)).toEqual(run(42, 500));
    expect(run(42, 500)).not.toEqual(run(43, 500));
  });

  it('produces parts only while executing, and mostly good ones', () => {
    const machine = new MachineModel('M01', seededRandom(7));
    for (let i = 0; i < 1000; i++) machine.step();
    expect(machine.goodCount).toBeGreaterThan(400);
    expect(machine.scrapCount).toBeGreaterThan(0);
    expect(machine.scrapCount).toBeLessThan(machine.goodCount / 5);
    machine.state = 'NotExecuting';
    const [good, scrap] = [machine.goodCount, machine.scrapCount];
    for (let i = 0; i < 100; i++) machine.step();
    expect([machine.goodCount, machine.scrapCount]).toEqual([good, scrap]);
  });

  it('rolls its counters over to 0 after the maximum, like a PLC counter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const machine = new MachineModel('M01', seededRandom(seed), {
          ...DEFAULT_MACHINE_SETTINGS,
          cycleProbability: 1,
          scrapRate: 0,
        });
        machine.setCounter('good', DEFAULT_MACHINE_SETTINGS.counterMax);
        machine.step();
        expect(machine.goodCount).toBe(0);
      }),
      { numRuns: 50 },
    );
    expect(() => new MachineModel('M01', seededRandom(1)).setCounter('scrap', -1)).toThrow(RangeError);
  });
});
