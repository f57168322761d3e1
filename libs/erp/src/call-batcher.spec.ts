import { CallBatcher, type ItemOutcome } from './call-batcher';

describe('CallBatcher', () => {
  const recording = (
    answer: (items: number[]) => Promise<Array<ItemOutcome<string>>>,
    maxConcurrent = 10,
  ) => {
    const batches: number[][] = [];
    const batcher = new CallBatcher<number, string>(3, maxConcurrent, (items) => {
      batches.push(items);
      return answer(items);
    });
    return { batches, batcher };
  };
  const echo = async (items: number[]) => items.map((i) => ({ ok: true as const, value: `#${i}` }));

  it('sends the calls of one turn together, at most maxBatch per batch, each caller its own result', async () => {
    const { batches, batcher } = recording(echo);
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)));
    expect(results).toEqual(['#1', '#2', '#3', '#4', '#5']);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('sends a call of a later turn in a batch of its own', async () => {
    const { batches, batcher } = recording(echo);
    await batcher.submit(1);
    await batcher.submit(2);
    expect(batches).toEqual([[1], [2]]);
  });

  it("rejects only the item that failed; a failed batch rejects all of that batch's callers", async () => {
    const { batcher } = recording(async (items) => {
      if (items.includes(9)) throw new Error('batch lost');
      return items.map((i) =>
        i === 2
          ? { ok: false as const, error: new Error('refused 2') }
          : { ok: true as const, value: `#${i}` },
      );
    });
    const one = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(one.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const all = await Promise.allSettled([7, 8, 9].map((i) => batcher.submit(i)));
    expect(all.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'ok'))).toEqual([
      'batch lost',
      'batch lost',
      'batch lost',
    ]);
  });

  it('holds calls while every request slot is busy and sends those that waited together when one frees', async () => {
    const answers: Array<() => void> = [];
    const { batches, batcher } = recording(
      (items) =>
        new Promise((resolve) =>
          answers.push(() => resolve(items.map((i) => ({ ok: true, value: `#${i}` })))),
        ),
      1,
    );
    const first = batcher.submit(1);
    await new Promise(setImmediate);
    const waiting = [2, 3, 4, 5].map((i) => batcher.submit(i));
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    expect(batches).toEqual([[1]]);

    answers.shift()?.();
    expect(await first).toBe('#1');
    await new Promise(setImmediate);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    answers.shift()?.();
    await new Promise(setImmediate);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    answers.shift()?.();
    expect(await Promise.all(waiting)).toEqual(['#2', '#3', '#4', '#5']);
  });

  it('frees the slot of a batch that failed as a whole', async () => {
    let calls = 0;
    const { batcher } = recording(async (items) => {
      if (++calls === 1) throw new Error('batch lost');
      return items.map((i) => ({ ok: true as const, value: `#${i}` }));
    }, 1);
    await expect(batcher.submit(1)).rejects.toThrow('batch lost');
    expect(await batcher.submit(2)).toBe('#2');
  });
});
