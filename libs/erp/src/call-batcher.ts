/** One item's outcome in a batch: its result, or the error that is its alone. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Gathers calls and sends them together, at most `maxBatch` in one request and at most
 * `maxConcurrent` requests at a time. A batch is formed when a request can go: calls of one turn of
 * the event loop go together, and calls that come while every request slot is busy wait and go
 * together when one frees. Behind a slow ERP, batches therefore fill up and the rate reaches
 * slots × maxBatch ÷ latency; formed early, they would queue for a slot one or two calls each.
 * Alone, a call waits one turn at most. Each caller gets its own item's outcome; when the whole
 * batch fails, every caller of it gets that error.
 */
export class CallBatcher<I, O> {
  private queue: Array<{ item: I; resolve(value: O): void; reject(error: unknown): void }> = [];
  private scheduled = false;
  private sending = 0;

  constructor(
    private readonly maxBatch: number,
    /** Requests at once: the in-flight limit of the endpoint the batches go to. */
    private readonly maxConcurrent: number,
    /** Sends items; answers with one outcome per item, in order. */
    private readonly send: (items: I[]) => Promise<Array<ItemOutcome<O>>>,
  ) {}

  /** Calls waiting for a request slot (or for the next turn). */
  get waiting(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    while (this.queue.length && this.sending < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.sending++;
      this.send(batch.map((b) => b.item))
        .then(
          (outcomes) =>
            batch.forEach((b, i) => {
              const outcome = outcomes[i] ?? { ok: false, error: new Error('the batch answered no outcome') };
              if (outcome.ok) b.resolve(outcome.value);
              else b.reject(outcome.error);
            }),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.sending--;
          this.flush();
        });
    }
  }
}
