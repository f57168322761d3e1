import { Equipment } from '@plantbridge/canonical-model';

type MachineryItemState = Equipment.MachineryItemState;
const STATES = Equipment.MACHINERY_ITEM_STATES;

export interface StateChange {
  state: MachineryItemState;
  previousState?: MachineryItemState;
  /** How long the equipment was in the previous state; absent when that is not known. */
  previousStateDurationMs?: number;
}

/** What a state tag's value means: the mapping's `states` table, or the defaults without one. */
export type StateTable = Readonly<Record<string, MachineryItemState>>;

/**
 * The OPC 40001 state a tag value stands for, or undefined when it stands for none. With a table
 * (vendor codes, PackML states, a PLC's strings) only the table counts, looked up by the value's
 * text (`3`, `true`, `RUNNING`). Without one: a Boolean is running or not (true: Executing, false:
 * NotExecuting), an integer is a `MachineryItemState` code (0..3), a string its name.
 */
export function toMachineryItemState(value: unknown, table?: StateTable): MachineryItemState | undefined {
  if (table) return Object.hasOwn(table, String(value)) ? table[String(value)] : undefined;
  if (typeof value === 'boolean') return value ? 'Executing' : 'NotExecuting';
  if (typeof value === 'number') return Number.isInteger(value) ? STATES[value] : undefined;
  return STATES.find((s) => s === value);
}

/**
 * Emits a change only when the state differs from the last one, with how long the last one lasted.
 * Starts from the state remembered before a restart, so a restart repeats no change.
 */
export class StateTracker {
  constructor(private current?: { state: MachineryItemState; since: number }) {}

  get state(): { state: MachineryItemState; since: number } | undefined {
    return this.current;
  }

  /**
   * `at` is when the new state began; `exact` false when that is only when we learned of it (a
   * change that happened while the gateway was away from a server that stamps no source times):
   * then the previous state's duration is not known and is left out rather than invented.
   */
  observe(state: MachineryItemState, at: Date, exact = true): StateChange | null {
    const previous = this.current;
    if (previous?.state === state) return null;
    this.current = { state, since: at.getTime() };
    if (!previous) return { state };
    return {
      state,
      previousState: previous.state,
      ...(exact ? { previousStateDurationMs: Math.max(0, at.getTime() - previous.since) } : {}),
    };
  }
}
