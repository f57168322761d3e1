import { Equipment } from '@plantbridge/canonical-model';

type MachineryItemState = Equipment.MachineryItemState;
const STATES = Equipment.MACHINERY_ITEM_STATES;

export interface StateChange {
  state: MachineryItemState;
  previousState?: MachineryItemState;
  /** How long the equipment was in the previous state (from source timestamps). */
  previousStateDurationMs?: number;
}

/** OPC 40001 state from its Int32 value (0..3) or its name; undefined for anything else. */
export function toMachineryItemState(value: unknown): MachineryItemState | undefined {
  if (typeof value === 'number') return STATES[value];
  return STATES.find((s) => s === value);
}

/** Emits a change only when the state differs from the last one, with how long the last one lasted. */
export class StateTracker {
  private current?: { state: MachineryItemState; since: number };

  observe(state: MachineryItemState, at: Date): StateChange | null {
    const previous = this.current;
    if (previous?.state === state) return null;
    this.current = { state, since: at.getTime() };
    if (!previous) return { state };
    return {
      state,
      previousState: previous.state,
      previousStateDurationMs: Math.max(0, at.getTime() - previous.since),
    };
  }
}
