import fc from 'fast-check';
import { KeyedLanes } from './keyed-lanes';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLanes', () => {
  it('runs the work of one key in arrival order, one at a time, even when some fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), fails: fc.boolean() }), { maxLength: 30 }),
        async (jobs) => {
          const lanes = new KeyedLanes();
          const running = new Set<string>();
          const order: Record<string, number[]> = {};
          const settled = jobs.map(({ key, fails }, i) =>
            lanes
              .run(key, async () => {
                if (running.has(key)) throw new Error(`two jobs of ${key} at once`);
                running.add(key);
                await tick();
                (order[key] ??= []).push(i);
                running.delete(key);
                if (fails) throw new Error('planned');
                return i;
              })
              .then(
                (value) => ({ ok: true, value }),
                (error: Error) => ({ ok: false, value: error.message }),
              ),
          );
          const outcomes = await Promise.all(settled);
          outcomes.forEach((outcome, i) =>
            expect(outcome).toEqual(jobs[i].fails ? { ok: false, value: 'planned' } : { ok: true, value: i }),
          );
          for (const indices of Object.values(order))
            expect(indices).toEqual([...indices].sort((x, y) => x - y));
          await tick();
          expect(lanes.size).toBe(0);
        },
      ),
    );
  });

  it('runs work of different keys side by side', async () => {
    const lanes = new KeyedLanes();
    let releaseA!: () => void;
    const a = lanes.run('a', () => new Promise<void>((resolve) => (releaseA = resolve)));
    await expect(lanes.run('b', async () => 'b done')).resolves.toBe('b done');
    releaseA();
    await a;
  });
});
