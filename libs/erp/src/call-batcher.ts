/** One item's outcome in a batch: its result, or the error that is its alone. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Gathers the calls made in one turn of the event loop and sends them together, at most `maxBatch`
 * at a time. Under load many workers reach ERP in the same instant, and one request for all of them
 * costs both sides far less than one each; alone, a call waits one turn at most. Each caller gets
 * its own item's outcome; when the whole batch fails, every caller of it gets that error.
 */
export class CallBatcher<I, O> {
  private queue: Array<{ item: I; resolve(value: O): void; reject(error: unknown): void }> = [];
  private scheduled = false;

  constructor(
    private readonly maxBatch: number,
    /** Sends items; answers with one outcome per item, in order. */
    private readonly send: (items: I[]) => Promise<Array<ItemOutcome<O>>>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.send(batch.map((b) => b.item)).then(
        (outcomes) =>
          batch.forEach((b, i) => {
            const outcome = outcomes[i];
            if (outcome.ok) b.resolve(outcome.value);
            else b.reject(outcome.error);
          }),
        (error: unknown) => batch.forEach((b) => b.reject(error)),
      );
    }
  }
}
