import { MachineCondition } from './machine-condition';

/** OPC 40001 (Machinery) `MachineryItemState`: the values a machine's state variable takes. */
export const MACHINERY_ITEM_STATES = ['NotAvailable', 'OutOfService', 'NotExecuting', 'Executing'] as const;
export type MachineryItemState = (typeof MACHINERY_ITEM_STATES)[number];

export interface MachineSettings {
  /** Chance per tick that an executing machine completes a part. */
  cycleProbability: number;
  /** Share of completed parts that are scrap. */
  scrapRate: number;
  /** Counters roll over to 0 after this value (a UInt16 PLC counter by default). */
  counterMax: number;
  /** Temperature the machine settles at while executing, and its noise (°C). */
  temperature: { executing: number; idle: number; noise: number };
}

export const DEFAULT_MACHINE_SETTINGS: MachineSettings = {
  cycleProbability: 0.5,
  scrapRate: 0.05,
  counterMax: 65_535,
  temperature: { executing: 65, idle: 25, noise: 0.5 },
};

export interface MachineAlarm {
  code: string;
  severity: number;
  message: string;
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same line, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * One simulated machine as its PLC would expose it: a state, good and scrap counters that roll over,
 * a noisy temperature and one alarm. `step` advances it by one tick; nothing here knows OPC UA.
 */
export class MachineModel {
  state: MachineryItemState = 'Executing';
  goodCount = 0;
  scrapCount = 0;
  temperature: number;
  alarm: MachineAlarm | null = null;
  /** Its OPC UA alarm condition (Part 9), beside the alarm tags above. */
  readonly condition = new MachineCondition();

  constructor(
    readonly id: string,
    private readonly random: () => number,
    private readonly settings: MachineSettings = DEFAULT_MACHINE_SETTINGS,
  ) {
    this.temperature = settings.temperature.idle;
  }

  /** One tick: maybe a part (good or scrap), and the temperature drifts towards its target. */
  step(): void {
    const executing = this.state === 'Executing';
    if (executing && this.random() < this.settings.cycleProbability) {
      if (this.random() < this.settings.scrapRate) this.scrapCount = this.increment(this.scrapCount);
      else this.goodCount = this.increment(this.goodCount);
    }
    const { executing: hot, idle, noise } = this.settings.temperature;
    const target = executing ? hot : idle;
    const drift = (target - this.temperature) * 0.05;
    this.temperature = round(this.temperature + drift + (this.random() * 2 - 1) * noise, 2);
  }

  /** What the control API shows. */
  toJSON() {
    const { id, state, goodCount, scrapCount, temperature, alarm, condition } = this;
    return { id, state, goodCount, scrapCount, temperature, alarm, condition };
  }

  setCounter(kind: 'good' | 'scrap', value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > this.settings.counterMax) {
      throw new RangeError(`a ${kind} counter is a whole number from 0 to ${this.settings.counterMax}`);
    }
    if (kind === 'good') this.goodCount = value;
    else this.scrapCount = value;
  }

  private increment(counter: number): number {
    return counter >= this.settings.counterMax ? 0 : counter + 1;
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
