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
import { ThresholdDetector } from './threshold-detector';

const DEFAULT_COUNTER_MAX = 4_294_967_295; // UInt32

/**
 * Turns raw tag samples into canonical equipment events: state-changed (with the previous state and
 * its duration), cycle-completed (counter deltas; rollovers and resets make no false count),
 * alarm-raised / alarm-cleared (on the edges of a boolean), threshold-crossed (with hysteresis).
 * Each event carries the equipment, plant, source and server timestamps, and the order operation
 * running on the equipment when known.
 */
export class EquipmentNormalizer {
  private readonly counters = new Map<string, CounterTracker>();
  private readonly states = new Map<string, StateTracker>();
  private readonly thresholds = new Map<string, ThresholdDetector>();
  private readonly alarms = new Map<string, boolean>();
  /** Counter values changed since the last `takeCounterChanges`, to persist with the events. */
  private readonly changedCounters = new Map<string, number>();

  constructor(
    private readonly plant: string,
    private readonly source: string,
    private readonly contextOf: (equipmentId: string) => ProductionContext | undefined,
    /** Last counter values committed before a restart, by node id. */
    private readonly persisted: ReadonlyMap<string, number> = new Map(),
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
        return []; // downsampled telemetry is not an ERP concern; not published yet
    }
  }

  /** Counter values to commit with the events of the same samples. */
  takeCounterChanges(): Map<string, number> {
    const changes = new Map(this.changedCounters);
    this.changedCounters.clear();
    return changes;
  }

  /** Puts back counter values whose commit failed, unless a newer value came meanwhile. */
  restoreCounterChanges(changes: ReadonlyMap<string, number>): void {
    for (const [nodeId, value] of changes)
      if (!this.changedCounters.has(nodeId)) this.changedCounters.set(nodeId, value);
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

  private state(sample: TagSample, tag: Extract<TagMappingEntry, { signal: 'state' }>): CanonicalEvent[] {
    const state = toMachineryItemState(sample.value);
    if (!state) return [];
    const tracker = this.states.get(tag.equipmentId) ?? new StateTracker();
    this.states.set(tag.equipmentId, tracker);
    const change = tracker.observe(state, sample.sourceTimestamp);
    if (!change) return [];
    return [
      createEvent(Equipment.StateChangedV1Event, { ...this.base(sample), ...change }, this.origin(sample)),
    ];
  }

  private counter(sample: TagSample, tag: Extract<TagMappingEntry, { signal: 'counter' }>): CanonicalEvent[] {
    const value = Number(sample.value);
    let tracker = this.counters.get(tag.nodeId);
    if (!tracker) {
      tracker = new CounterTracker(tag.max ?? DEFAULT_COUNTER_MAX, this.persisted.get(tag.nodeId));
      this.counters.set(tag.nodeId, tracker);
    }
    const change = tracker.observe(value);
    this.changedCounters.set(tag.nodeId, value);
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
    const active = sample.value === true;
    const was = this.alarms.get(tag.nodeId) ?? false;
    this.alarms.set(tag.nodeId, active);
    if (active === was) return [];
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
    const value = Number(sample.value);
    if (!Number.isFinite(value)) return [];
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
