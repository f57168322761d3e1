/**
 * Runs work one at a time per key, in the order it arrives, and work of different keys side by side.
 * A consumer handling many messages at once uses it where messages of one key must not overtake
 * each other (the confirmations of one order operation reach ERP in the order they were made).
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    // A failure of the previous work is its caller's to handle; the lane goes on.
    const result = previous ? previous.then(work, work) : work();
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
