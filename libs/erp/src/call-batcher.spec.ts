import { CallBatcher, type ItemOutcome } from './call-batcher';

describe('CallBatcher', () => {
  const recording = (answer: (items: number[]) => Promise<Array<ItemOutcome<string>>>) => {
    const batches: number[][] = [];
    const batcher = new CallBatcher<number, string>(3, (items) => {
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
});
