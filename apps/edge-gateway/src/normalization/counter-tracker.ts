export type CounterChange =
  /** The first value seen: the baseline; parts made before the gateway watched are not counted. */
  | { kind: 'baseline'; delta: 0 }
  | { kind: 'increment'; delta: number }
  /** The PLC counter passed its maximum and started again from 0. */
  | { kind: 'rollover'; delta: number }
  /** Someone reset the counter: only what it counted since the reset is new. */
  | { kind: 'reset'; delta: number };

/**
 * Turns the raw values of a PLC part counter into part deltas. A value below the previous one is
 * a rollover when the previous value was in the top tenth of the range and the new one in the
 * bottom tenth (a counter that wrapped); otherwise it is a reset. Neither produces a false count:
 * a rollover adds exactly the parts across the wrap, a reset adds the parts counted since it.
 */
export class CounterTracker {
  private last?: number;

  constructor(
    /** The counter's largest value before it rolls over to 0. */
    private readonly max: number,
    /** The last value seen before a restart, when known (persisted), so nothing is counted twice. */
    last?: number,
  ) {
    this.last = last;
  }

  get lastValue(): number | undefined {
    return this.last;
  }

  observe(value: number): CounterChange {
    if (!Number.isInteger(value) || value < 0 || value > this.max) {
      throw new RangeError(`counter value ${value} is outside 0..${this.max}`);
    }
    const last = this.last;
    this.last = value;
    if (last === undefined) return { kind: 'baseline', delta: 0 };
    if (value >= last) return { kind: 'increment', delta: value - last };
    const wrapped = last > this.max * 0.9 && value < this.max * 0.1;
    if (wrapped) return { kind: 'rollover', delta: this.max - last + 1 + value };
    return { kind: 'reset', delta: value };
  }
}
