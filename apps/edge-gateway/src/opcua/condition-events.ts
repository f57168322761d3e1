import {
  AttributeIds,
  callConditionRefresh,
  type ClientMonitoredItem,
  type ClientSession,
  type ClientSubscription,
  constructEventFilter,
  DataType,
  type LocalizedText,
  makeContentFilter,
  NodeId,
  ofType,
  or,
  resolveNodeId,
  TimestampsToReturn,
  type Variant,
} from 'node-opcua';
import { type ConditionMapping, SERVER_OBJECT } from '../mapping/condition-mapping';

/**
 * The fields of every event the gateway asks for, in this order (Part 9's condition fields; `ConditionId`
 * is the condition node's NodeId, which node-opcua's `constructEventFilter` selects specially).
 */
export const CONDITION_EVENT_FIELDS = [
  'EventId',
  'EventType',
  'SourceNode',
  'SourceName',
  'Time',
  'ReceiveTime',
  'Message',
  'Severity',
  'ConditionId',
  'ConditionName',
  'BranchId',
  'Retain',
  'ActiveState.Id',
  'ActiveState.TransitionTime',
  'AckedState.Id',
  'SuppressedOrShelved',
] as const;

/** One condition event (the state of a condition, or of one of its branches) as the server sent it. */
export interface ConditionEvent {
  /** The EventId as hex: unique per event; a ConditionRefresh sends the last one of each condition again. */
  eventId: string;
  conditionId: string;
  conditionName: string;
  /** null for the condition's current state; else a branch (an earlier state still to be acknowledged). */
  branchId: string | null;
  sourceNode: string;
  sourceName: string;
  time: Date;
  receiveTime: Date;
  message: string;
  severity: number;
  retain: boolean;
  active: boolean;
  /** ActiveState's TransitionTime when the server provides it: when the condition became (in)active. */
  activeSince: Date | null;
  acked: boolean;
  suppressedOrShelved: boolean;
}

/** What the event subscription of an endpoint reports, in the order the server sent it. */
export type ConditionNotification =
  | { kind: 'condition'; event: ConditionEvent }
  /** The Server object's RefreshStartEvent: the retained conditions follow, then a RefreshEnd. */
  | { kind: 'refresh-start' }
  | { kind: 'refresh-end'; time: Date };

/** What goes wrong with the event subscription, counted by reason. */
export type ConditionFault = 'refused-notifier' | 'refresh-failed';

/** What an endpoint connection calls once its data items are monitored, after every (re)connect. */
export interface EventSubscriber {
  monitor(subscription: ClientSubscription, session: ClientSession, onActivity: () => void): Promise<void>;
}

const REFRESH_START = resolveNodeId('RefreshStartEventType').toString();
const REFRESH_END = resolveNodeId('RefreshEndEventType').toString();
const REFRESH_REQUIRED = resolveNodeId('RefreshRequiredEventType').toString();

/**
 * Condition events and the three refresh events. Part 9 says the refresh events ignore a where
 * clause; node-opcua's server applies it to them, so they are named in it.
 */
function conditionEventFilter() {
  return constructEventFilter(
    [...CONDITION_EVENT_FIELDS],
    makeContentFilter(
      or(
        ofType('ConditionType'),
        or(
          ofType('RefreshStartEventType'),
          or(ofType('RefreshEndEventType'), ofType('RefreshRequiredEventType')),
        ),
      ),
    ),
  );
}

/**
 * OPC UA Alarms & Conditions of one endpoint: monitors the configured notifier nodes (the Server
 * object by default) for condition events, decodes them, and calls ConditionRefresh after every
 * (re)connect, and again when the server sends a RefreshRequiredEvent. The refresh repeats the
 * last event of every retained condition: the consumer (ConditionTracker) drops what it has seen.
 * Only the Server object's RefreshStart and RefreshEnd mark a refresh: every condition event
 * reaches the Server, so what one refresh there did not repeat is not retained any more.
 */
export class ConditionEvents implements EventSubscriber {
  constructor(
    private readonly mapping: ConditionMapping,
    private readonly onNotification: (notification: ConditionNotification) => void,
    private readonly onFault: (fault: ConditionFault, detail: string) => void,
  ) {}

  async monitor(
    subscription: ClientSubscription,
    session: ClientSession,
    onActivity: () => void,
  ): Promise<void> {
    const filter = conditionEventFilter();
    const refresh = () => this.refresh(session, subscription);
    for (const notifier of this.mapping.notifiers) {
      const item = await this.monitorNotifier(subscription, notifier, filter);
      const isServer = resolveNodeId(notifier).toString() === resolveNodeId(SERVER_OBJECT).toString();
      item?.on('changed', (fields: Variant[]) => {
        onActivity();
        this.received(fields, isServer, refresh);
      });
    }
    await refresh();
  }

  private async monitorNotifier(
    subscription: ClientSubscription,
    notifier: string,
    filter: ReturnType<typeof conditionEventFilter>,
  ): Promise<ClientMonitoredItem | undefined> {
    try {
      const item = await subscription.monitor(
        { nodeId: notifier, attributeId: AttributeIds.EventNotifier },
        { samplingInterval: 0, queueSize: 10_000, discardOldest: false, filter },
        TimestampsToReturn.Both,
      );
      if (item.statusCode.isGood()) return item;
      this.onFault('refused-notifier', `${notifier}: ${item.statusCode.name}`);
    } catch (error) {
      this.onFault('refused-notifier', `${notifier}: ${(error as Error).message}`);
    }
    return undefined;
  }

  private async refresh(session: ClientSession, subscription: ClientSubscription): Promise<void> {
    try {
      const status = await callConditionRefresh(session, subscription.subscriptionId);
      if (!status.isGood()) this.onFault('refresh-failed', status.name);
    } catch (error) {
      this.onFault('refresh-failed', (error as Error).message);
    }
  }

  private received(fields: Variant[], fromServerObject: boolean, refresh: () => Promise<void>): void {
    const eventType = nodeIdText(fields[CONDITION_EVENT_FIELDS.indexOf('EventType')]);
    if (eventType === REFRESH_START) {
      if (fromServerObject) this.onNotification({ kind: 'refresh-start' });
    } else if (eventType === REFRESH_END) {
      if (fromServerObject)
        this.onNotification({
          kind: 'refresh-end',
          time: dateOf(fields[CONDITION_EVENT_FIELDS.indexOf('Time')]) ?? new Date(),
        });
    } else if (eventType === REFRESH_REQUIRED) {
      if (fromServerObject) void refresh();
    } else {
      const event = decodeConditionEvent(fields);
      if (event) this.onNotification({ kind: 'condition', event });
    }
  }
}

/** The fields of `CONDITION_EVENT_FIELDS` as a condition event; undefined for an event of no condition. */
export function decodeConditionEvent(fields: Variant[]): ConditionEvent | undefined {
  const value = (name: (typeof CONDITION_EVENT_FIELDS)[number]) => {
    const variant = fields[CONDITION_EVENT_FIELDS.indexOf(name)];
    return variant && variant.dataType !== DataType.Null ? (variant.value as unknown) : undefined;
  };
  const conditionId = value('ConditionId');
  const eventId = value('EventId');
  if (!(conditionId instanceof NodeId) || conditionId.isEmpty() || !(eventId instanceof Buffer))
    return undefined;
  const branch = value('BranchId');
  const time = value('Time') instanceof Date ? (value('Time') as Date) : new Date();
  return {
    eventId: eventId.toString('hex'),
    conditionId: conditionId.toString(),
    conditionName: String(value('ConditionName') ?? ''),
    branchId: branch instanceof NodeId && !branch.isEmpty() ? branch.toString() : null,
    sourceNode: value('SourceNode') instanceof NodeId ? (value('SourceNode') as NodeId).toString() : '',
    sourceName: String(value('SourceName') ?? ''),
    time,
    receiveTime: value('ReceiveTime') instanceof Date ? (value('ReceiveTime') as Date) : time,
    message: (value('Message') as LocalizedText | undefined)?.text ?? '',
    severity: Number(value('Severity') ?? 0),
    retain: value('Retain') === true,
    active: value('ActiveState.Id') === true,
    activeSince:
      value('ActiveState.TransitionTime') instanceof Date
        ? (value('ActiveState.TransitionTime') as Date)
        : null,
    acked: value('AckedState.Id') === true,
    suppressedOrShelved: value('SuppressedOrShelved') === true,
  };
}

function nodeIdText(variant: Variant | undefined): string {
  return variant?.value instanceof NodeId ? variant.value.toString() : '';
}

function dateOf(variant: Variant | undefined): Date | undefined {
  return variant?.value instanceof Date ? variant.value : undefined;
}
