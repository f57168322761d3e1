import type { CanonicalEvent, ProductionContext } from '@plantbridge/canonical-model';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { ConditionEquipment } from '../mapping/condition-mapping';
import type { EndpointMapping } from '../mapping/tag-mapping';
import { type ConditionState, ConditionTracker } from '../normalization/condition-tracker';
import { type ConditionFault, ConditionEvents, type EventSubscriber } from '../opcua/condition-events';
import { AlarmConditionStateRecord } from './alarm-condition-state.entity';

const faults = new Counter({
  name: 'plantbridge_alarm_condition_faults_total',
  help: 'OPC UA condition events not published, notifiers refused, ConditionRefresh failures; by endpoint and reason',
  labelNames: ['endpoint', 'reason'],
});

/** Condition states changed since the last take, of every endpoint, to commit with their events. */
export type ConditionChanges = Map<string, ConditionState>;

const keyOf = (state: ConditionState) => `${state.endpointId}\n${state.conditionId}`;

/**
 * OPC UA Alarms & Conditions for the gateway's pipeline: one event subscriber per endpoint whose
 * mapping has `conditions` (plugged into its connection), one ConditionTracker each, and the
 * condition states they change, which the pipeline commits with the events of the same flush.
 */
export class AlarmConditions {
  private readonly trackers = new Map<string, ConditionTracker>();

  private constructor(
    private readonly persisted: Map<string, ConditionState[]>,
    private readonly origin: {
      plant: string;
      source: string;
      contextOf: (equipmentId: string) => ProductionContext | undefined;
    },
    private readonly logger: { warn(message: string): void },
  ) {}

  /** With the condition states committed before a restart. */
  static async load(
    manager: EntityManager,
    origin: AlarmConditions['origin'],
    logger: { warn(message: string): void },
  ): Promise<AlarmConditions> {
    const persisted = new Map<string, ConditionState[]>();
    for (const row of await manager.find(AlarmConditionStateRecord)) {
      persisted.set(row.endpointId, [...(persisted.get(row.endpointId) ?? []), row]);
    }
    return new AlarmConditions(persisted, origin, logger);
  }

  /** The event subscriber of an endpoint (none without `conditions`); its alarm events go to `publish`. */
  subscriberFor(
    endpoint: EndpointMapping,
    publish: (events: CanonicalEvent[]) => void,
  ): EventSubscriber | undefined {
    const mapping = endpoint.conditions;
    if (!mapping) return undefined;
    const { plant, source, contextOf } = this.origin;
    const tracker = new ConditionTracker(
      endpoint.id,
      plant,
      source,
      contextOf,
      this.persisted.get(endpoint.id),
    );
    this.trackers.set(endpoint.id, tracker);
    const equipment = new ConditionEquipment(mapping);
    const logged = new Set<string>();
    const fault = (reason: ConditionFault | 'unmapped-source' | 'invalid-condition', detail: string) => {
      faults.inc({ endpoint: endpoint.id, reason });
      // Once per condition and reason: an unmapped source sends every transition again.
      if (logged.has(`${reason} ${detail}`)) return;
      logged.add(`${reason} ${detail}`);
      this.logger.warn(`endpoint ${endpoint.id}: alarm condition ${reason}: ${detail}`);
    };
    const events = new ConditionEvents(
      mapping,
      (notification) => {
        switch (notification.kind) {
          case 'refresh-start':
            return tracker.refreshStarted();
          case 'refresh-end':
            return publish(tracker.refreshEnded(notification.time));
          case 'condition': {
            const event = notification.event;
            const observed = tracker.observe(event, equipment.of(event));
            publish(observed.events);
            if (observed.skipped) {
              fault(
                observed.skipped,
                `${event.conditionId} (source ${event.sourceNode} "${event.sourceName}")`,
              );
            }
          }
        }
      },
      fault,
    );
    return {
      monitor: async (subscription, session, onActivity) => {
        tracker.sessionStarted();
        await events.monitor(subscription, session, onActivity);
      },
    };
  }

  take(): ConditionChanges {
    const changes: ConditionChanges = new Map();
    for (const tracker of this.trackers.values()) {
      for (const state of tracker.takeChanges().values()) changes.set(keyOf(state), state);
    }
    return changes;
  }

  /** Puts back what a failed commit did not write (newer states win). */
  restore(changes: ConditionChanges): void {
    for (const state of changes.values()) {
      this.trackers.get(state.endpointId)?.restoreChanges(new Map([[state.conditionId, state]]));
    }
  }

  static async save(manager: EntityManager, changes: ConditionChanges): Promise<void> {
    if (changes.size) await manager.save(AlarmConditionStateRecord, [...changes.values()]);
  }
}
