import { createHash } from 'node:crypto';
import {
  type CanonicalEvent,
  createEvent,
  Equipment,
  type ProductionContext,
  toText,
} from '@plantbridge/canonical-model';
import type { ConditionEvent } from '../opcua/condition-events';

/**
 * What the gateway remembers of one OPC UA condition of one endpoint, committed with the events it
 * produced: after a restart, ConditionRefresh's repeats are recognised and an alarm that is still
 * active is not raised again, while one that cleared meanwhile is cleared.
 */
export interface ConditionState {
  endpointId: string;
  conditionId: string;
  equipmentId: string;
  /** The last EventId taken for this condition (a refresh repeats it). */
  lastEventId: string;
  active: boolean;
  /** Activation time of the current episode, or of the last one while inactive (to acknowledge it). */
  activeSince: string | null;
  acked: boolean;
  severity: number;
  message: string;
  sourceNode: string;
  sourceName: string;
  suppressedOrShelved: boolean;
  updatedAt: string;
}

/** The result of one condition event: the canonical events, or why it was not taken. */
export interface Observed {
  events: CanonicalEvent[];
  /** A new event of a condition that could not be published (its source has no equipment, …). */
  skipped?: 'unmapped-source' | 'invalid-condition';
}

/** Event ids remembered per endpoint besides each condition's last, for repeats of older events. */
const RECENT_EVENT_IDS = 10_000;
const MAX_ID = 255;

/** `alarmId` of a condition: its ConditionId, or a recognisable 64-character digest of a longer one. */
export function alarmIdOf(conditionId: string): string {
  if (conditionId.length <= 64) return conditionId;
  return `${conditionId.slice(0, 47)}~${createHash('sha256').update(conditionId).digest('hex').slice(0, 16)}`;
}

/** One alarm episode: the condition and when it became active. */
export function episodeIdOf(conditionId: string, activeSince: string): string {
  return `${conditionId}@${activeSince}`;
}

/**
 * Turns the condition events of one endpoint into `alarm-raised`, `alarm-acknowledged` and
 * `alarm-cleared` events, one per transition of the condition's current state:
 *
 * - an EventId seen before is dropped (a ConditionRefresh repeats the last one of every retained
 *   condition, and an event reaches every notifier it passes);
 * - an episode is the condition plus its activation time (ActiveState's TransitionTime; without it,
 *   the Time of the first active event seen). A condition still active in the same episode, e.g.
 *   shown again by the refresh after a server or gateway restart, raises nothing; one active with a
 *   later activation time ended an episode unseen: that one is cleared and the new one raised;
 * - what a complete refresh of the Server object did not repeat is not retained (Part 9: inactive
 *   and acknowledged): a condition remembered as active is cleared then, at the refresh's end;
 * - branches (earlier states kept for acknowledgment) are not followed: only the current state.
 */
export class ConditionTracker {
  private readonly states = new Map<string, ConditionState>();
  private readonly changed = new Map<string, ConditionState>();
  private readonly recent = new Set<string>();
  /** Conditions the refresh in progress has shown; undefined while none is. */
  private refreshed?: Set<string>;

  constructor(
    private readonly endpointId: string,
    private readonly plant: string,
    private readonly source: string,
    private readonly contextOf: (equipmentId: string) => ProductionContext | undefined,
    persisted: Iterable<ConditionState> = [],
  ) {
    for (const state of persisted) this.states.set(state.conditionId, state);
  }

  /** A new session: a refresh half-done on the old one must not decide anything. */
  sessionStarted(): void {
    this.refreshed = undefined;
  }

  refreshStarted(): void {
    this.refreshed = new Set();
  }

  /** The refresh is complete: every condition it did not show is not retained any more. */
  refreshEnded(time: Date): CanonicalEvent[] {
    const shown = this.refreshed;
    this.refreshed = undefined;
    if (!shown) return [];
    const at = time.toISOString();
    const events: CanonicalEvent[] = [];
    for (const state of this.states.values()) {
      if (!state.active || shown.has(state.conditionId)) continue;
      events.push(this.cleared(state, { sourceTimestamp: at, serverTimestamp: at }));
      this.remember({ ...state, active: false, updatedAt: new Date().toISOString() });
    }
    return events;
  }

  /** @param equipmentId the equipment its source maps to; undefined: skip it */
  observe(event: ConditionEvent, equipmentId: string | undefined): Observed {
    this.refreshed?.add(event.conditionId);
    if (event.branchId !== null || this.recent.has(event.eventId)) return { events: [] };
    this.rememberEventId(event.eventId);
    const previous = this.states.get(event.conditionId);
    if (previous?.lastEventId === event.eventId) return { events: [] };
    if (event.conditionId.length > MAX_ID) return { events: [], skipped: 'invalid-condition' };
    if (equipmentId === undefined) return { events: [], skipped: 'unmapped-source' };

    const activeSince = event.active
      ? (event.activeSince?.toISOString() ??
        (previous?.active ? previous.activeSince : null) ??
        event.time.toISOString())
      : (previous?.activeSince ?? null);
    const next: ConditionState = {
      endpointId: this.endpointId,
      conditionId: event.conditionId,
      equipmentId,
      lastEventId: event.eventId,
      active: event.active,
      activeSince,
      acked: event.acked,
      severity: Math.min(1000, Math.max(1, Math.round(event.severity) || 1)),
      message: toText(event.message),
      sourceNode: event.sourceNode,
      sourceName: event.sourceName,
      suppressedOrShelved: event.suppressedOrShelved,
      updatedAt: new Date().toISOString(),
    };
    const at = {
      sourceTimestamp: event.time.toISOString(),
      serverTimestamp: event.receiveTime.toISOString(),
    };
    const events: CanonicalEvent[] = [];
    const sameEpisode = previous?.active && previous.activeSince === activeSince;
    if (next.active) {
      if (previous?.active && !sameEpisode) events.push(this.cleared(previous, at));
      if (!sameEpisode) events.push(this.raised(next, at));
      if (next.acked && (!sameEpisode || !previous?.acked)) events.push(this.acknowledged(next, at));
    } else if (previous?.activeSince && !previous.acked) {
      if (next.acked) events.push(this.acknowledged(next, at));
      if (previous.active) events.push(this.cleared(next, at));
    } else if (previous?.active) {
      events.push(this.cleared(next, at));
    }
    this.remember(next);
    return { events };
  }

  /** Condition states changed since the last call, to commit with the events they produced. */
  takeChanges(): Map<string, ConditionState> {
    const changes = new Map(this.changed);
    this.changed.clear();
    return changes;
  }

  /** Puts back states whose commit failed, unless a newer state came meanwhile. */
  restoreChanges(changes: ReadonlyMap<string, ConditionState>): void {
    for (const [id, state] of changes) if (!this.changed.has(id)) this.changed.set(id, state);
  }

  private remember(state: ConditionState): void {
    this.states.set(state.conditionId, state);
    this.changed.set(state.conditionId, state);
  }

  private rememberEventId(eventId: string): void {
    this.recent.add(eventId);
    if (this.recent.size > RECENT_EVENT_IDS) this.recent.delete(this.recent.values().next().value as string);
  }

  private fields(state: ConditionState, at: { sourceTimestamp: string; serverTimestamp: string }) {
    const context = this.contextOf(state.equipmentId);
    const activeSince = state.activeSince ?? at.sourceTimestamp;
    return {
      equipmentId: state.equipmentId,
      plant: this.plant,
      ...at,
      ...(context ? { context } : {}),
      alarmId: alarmIdOf(state.conditionId),
      conditionId: state.conditionId,
      activeSince,
      episodeId: episodeIdOf(state.conditionId, activeSince),
      ...(state.sourceNode && state.sourceNode.length <= MAX_ID ? { sourceNode: state.sourceNode } : {}),
      ...(state.sourceName ? { sourceName: toText(state.sourceName) } : {}),
      suppressedOrShelved: state.suppressedOrShelved,
      severity: state.severity,
      message: state.message,
    };
  }

  private origin(state: ConditionState) {
    return { plant: this.plant, source: this.source, subject: state.equipmentId };
  }

  private raised(state: ConditionState, at: { sourceTimestamp: string; serverTimestamp: string }) {
    return createEvent(Equipment.AlarmRaisedV1Event, this.fields(state, at), this.origin(state));
  }

  private acknowledged(state: ConditionState, at: { sourceTimestamp: string; serverTimestamp: string }) {
    return createEvent(Equipment.AlarmAcknowledgedV1Event, this.fields(state, at), this.origin(state));
  }

  private cleared(state: ConditionState, at: { sourceTimestamp: string; serverTimestamp: string }) {
    return createEvent(Equipment.AlarmClearedV1Event, this.fields(state, at), this.origin(state));
  }
}
