import {
  type CanonicalEvent,
  createEvent,
  Equipment,
  type ProductionContext,
} from '@plantbridge/canonical-model';
import type { TagMappingEntry } from '../mapping/tag-mapping';
import type { TagSample } from '../opcua/endpoint-connection';
import { CounterTracker } from './counter-tracker';
import { StateTracker, toMachineryItemState } from './state-tracker';
import type { TagState } from './tag-state';
import { ThresholdDetector } from './threshold-detector';

const DEFAULT_COUNTER_MAX = 4_294_967_295; // UInt32

/** A value the tag's mapping has no meaning for: the sample makes no event, and this says why. */
export interface ValueProblem {
  tag: TagMappingEntry;
  problem: 'unknown-state' | 'invalid-counter' | 'invalid-measurement';
  message: string;
}

/**
 * Turns the raw tag samples of one endpoint into canonical equipment events: state-changed (with
 * the previous state and its duration), cycle-completed (counter deltas; rollovers and resets make
 * no false count), alarm-raised / alarm-cleared (on the edges of a boolean or alarm code),
 * threshold-crossed (with hysteresis). Each event carries the equipment, plant, source and server
 * timestamps, and the order operation running on the equipment when known.
 *
 * One normalizer per endpoint, its state keyed by node id: identical machines on two endpoints have
 * the same node ids and must not share a counter. What must survive a restart (counter values,
 * alarm tags, machine states) starts from `persisted` and is handed out by `takeStateChanges`.
 */
export class EquipmentNormalizer {
  private readonly counters = new Map<string, CounterTracker>();
  private readonly states = new Map<string, StateTracker>();
  private readonly thresholds = new Map<string, ThresholdDetector>();
  private readonly alarms = new Map<string, boolean>();
  /** Tag states changed since the last `takeStateChanges`, to commit with the events. */
  private readonly changed = new Map<string, TagState>();

  constructor(
    private readonly plant: string,
    private readonly source: string,
    private readonly contextOf: (equipmentId: string) => ProductionContext | undefined,
    /** Tag states committed before a restart, by node id. */
    private readonly persisted: ReadonlyMap<string, TagState> = new Map(),
    private readonly onProblem: (problem: ValueProblem) => void = () => undefined,
  ) {}

  normalize(sample: TagSample): CanonicalEvent[] {
    const tag = sample.tag;
    switch (tag.signal) {
      case 'state':
        return this.state(sample, tag);
      case 'counter':
        return this.counter(sample, tag);
      case 'alarm':
        return this.alarm(sample, tag);
      case 'measurement':
        return this.measurement(sample, tag);
      case 'telemetry':
        return []; // batched apart (TelemetryBatcher); never an equipment event
    }
  }

  /** Tag states to commit with the events of the same samples. */
  takeStateChanges(): Map<string, TagState> {
    const changes = new Map(this.changed);
    this.changed.clear();
    return changes;
  }

  /** Puts back tag states whose commit failed, unless a newer one came meanwhile. */
  restoreStateChanges(changes: ReadonlyMap<string, TagState>): void {
    for (const [nodeId, state] of changes) if (!this.changed.has(nodeId)) this.changed.set(nodeId, state);
  }

  private base(sample: TagSample) {
    const context = this.contextOf(sample.tag.equipmentId);
    return {
      equipmentId: sample.tag.equipmentId,
      plant: this.plant,
      sourceTimestamp: sample.sourceTimestamp.toISOString(),
      serverTimestamp: sample.serverTimestamp.toISOString(),
      ...(context ? { context } : {}),
    };
  }

  private origin(sample: TagSample) {
    return { plant: this.plant, source: this.source, subject: sample.tag.equipmentId };
  }

  private persistedOf<K extends string>(
    nodeId: string,
    key: K,
  ): Extract<TagState, Record<K, unknown>> | undefined {
    const state = this.persisted.get(nodeId);
    return state && key in state ? (state as Extract<TagState, Record<K, unknown>>) : undefined;
  }

  private state(sample: TagSample, tag: Extract<TagMappingEntry, { signal: 'state' }>): CanonicalEvent[] {
    const state = toMachineryItemState(sample.value, tag.states);
    if (!state) {
      this.onProblem({
        tag,
        problem: 'unknown-state',
        message: `value ${JSON.stringify(sample.value)} is no machine state${tag.states ? ' in the tag\'s "states" table' : ' (map it with "states")'}`,
      });
      return [];
    }
    let tracker = this.states.get(tag.nodeId);
    if (!tracker) {
      const remembered = this.persistedOf(tag.nodeId, 'state');
      tracker = new StateTracker(
        remembered && { state: remembered.state, since: Date.parse(remembered.since) },
      );
      this.states.set(tag.nodeId, tracker);
    }
    const change = tracker.observe(state, sample.time, sample.exactTime);
    if (!change) return [];
    this.changed.set(tag.nodeId, { state, since: sample.time.toISOString() });
    return [
      createEvent(Equipment.StateChangedV1Event, { ...this.base(sample), ...change }, this.origin(sample)),
    ];
  }

  private counter(sample: TagSample, tag: Extract<TagMappingEntry, { signal: 'counter' }>): CanonicalEvent[] {
    const max = tag.max ?? DEFAULT_COUNTER_MAX;
    const value = sample.value as number;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      this.onProblem({
        tag,
        problem: 'invalid-counter',
        message: `counter value ${value} is not a whole number in 0..${max}`,
      });
      return [];
    }
    let tracker = this.counters.get(tag.nodeId);
    if (!tracker) {
      tracker = new CounterTracker(max, this.persistedOf(tag.nodeId, 'counter')?.counter);
      this.counters.set(tag.nodeId, tracker);
    }
    const change = tracker.observe(value);
    this.changed.set(tag.nodeId, { counter: value });
    if (change.delta === 0) return [];
    const counts =
      tag.counter === 'good'
        ? { goodCount: change.delta, scrapCount: 0 }
        : { goodCount: 0, scrapCount: change.delta };
    return [
      createEvent(
        Equipment.CycleCompletedV1Event,
        { ...this.base(sample), ...counts, unit: tag.unit ?? 'PC' },
        this.origin(sample),
      ),
    ];
  }

  private alarm(sample: TagSample, tag: Extract<TagMappingEntry, { signal: 'alarm' }>): CanonicalEvent[] {
    // A Boolean, or an alarm code where 0 is no alarm.
    const active = sample.value === true || (typeof sample.value === 'number' && sample.value !== 0);
    // Remembered across restarts: an alarm active before is not raised again, and one that
    // cleared while the gateway was away is cleared with the first value after it reconnects.
    const was = this.alarms.get(tag.nodeId) ?? this.persistedOf(tag.nodeId, 'alarm')?.alarm ?? false;
    this.alarms.set(tag.nodeId, active);
    if (active === was) return [];
    this.changed.set(tag.nodeId, { alarm: active });
    if (active) {
      return [
        createEvent(
          Equipment.AlarmRaisedV1Event,
          {
            ...this.base(sample),
            alarmId: tag.alarmId,
            alarmClass: tag.alarmClass,
            severity: tag.severity,
            message: tag.message,
          },
          this.origin(sample),
        ),
      ];
    }
    return [
      createEvent(
        Equipment.AlarmClearedV1Event,
        { ...this.base(sample), alarmId: tag.alarmId },
        this.origin(sample),
      ),
    ];
  }

  private measurement(
    sample: TagSample,
    tag: Extract<TagMappingEntry, { signal: 'measurement' }>,
  ): CanonicalEvent[] {
    const value = sample.value as number;
    if (!Number.isFinite(value)) {
      this.onProblem({
        tag,
        problem: 'invalid-measurement',
        message: `measurement value ${value} is not finite`,
      });
      return [];
    }
    const detector = this.thresholds.get(tag.nodeId) ?? new ThresholdDetector(tag);
    this.thresholds.set(tag.nodeId, detector);
    const crossed = detector.observe(value);
    if (!crossed) return [];
    return [
      createEvent(
        Equipment.ThresholdCrossedV1Event,
        {
          ...this.base(sample),
          signal: tag.name,
          value,
          limit: crossed.limit,
          direction: crossed.direction,
          unit: tag.unit,
        },
        this.origin(sample),
      ),
    ];
  }
}
