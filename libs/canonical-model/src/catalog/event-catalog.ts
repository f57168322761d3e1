import * as Equipment from '../equipment';
import * as Inventory from '../inventory';
import * as Maintenance from '../maintenance';
import * as Production from '../production';
import * as Quality from '../quality';
import * as Telemetry from '../telemetry';

/** Every event type Plantbridge publishes. Adding a definition here makes it routable and validated. */
export const EVENT_DEFINITIONS = [
  Production.OrderReleasedV1Event,
  Production.OrderAcknowledgedV1Event,
  Production.OperationStartedV1Event,
  Production.OperationCompletedV1Event,
  Production.OperationConfirmedV1Event,
  Production.ConfirmationPostedV1Event,
  Production.ConfirmationFailedV1Event,
  Production.ConfirmationRetryRequestedV1Event,
  Production.ConfirmationDiscardedV1Event,
  Inventory.MaterialMovementRequestedV1Event,
  Inventory.MaterialMovementPostedV1Event,
  Inventory.MaterialMovementRejectedV1Event,
  Inventory.MaterialMovementRetryRequestedV1Event,
  Inventory.MaterialMovementDiscardedV1Event,
  Inventory.StockDiscrepancyFoundV1Event,
  Equipment.StateChangedV1Event,
  Equipment.CycleCompletedV1Event,
  Equipment.ProductionCountedV1Event,
  Equipment.AlarmRaisedV1Event,
  Equipment.AlarmClearedV1Event,
  Equipment.AlarmAcknowledgedV1Event,
  Equipment.ThresholdCrossedV1Event,
  Quality.InspectionRequestedV1Event,
  Quality.ResultRecordedV1Event,
  Quality.HoldPlacedV1Event,
  Quality.HoldReleasedV1Event,
  Quality.NonconformanceOpenedV1Event,
  Maintenance.NotificationRequestedV1Event,
  Maintenance.NotificationCreatedV1Event,
  Telemetry.SamplesReportedV1Event,
] as const;

export type AnyEventDefinition = (typeof EVENT_DEFINITIONS)[number];
/** `plantbridge.<capability>.<event>.v<major>` for every known event. */
export type EventType = AnyEventDefinition['type'];
/** The definition of one event type. */
export type DefinitionOf<T extends EventType> = Extract<AnyEventDefinition, { type: T }>;
type PayloadMap = { [D in AnyEventDefinition as D['type']]: InstanceType<D['payload']> };
/** The payload class instance an event type carries: the typed map from event type to payload. */
export type PayloadOf<T extends EventType> = PayloadMap[T];

const BY_TYPE: ReadonlyMap<string, AnyEventDefinition> = new Map(EVENT_DEFINITIONS.map((d) => [d.type, d]));

export function findEventDefinition(type: string): AnyEventDefinition | undefined {
  return BY_TYPE.get(type);
}

/** The definition for a capability, event name and major version, as found in a subject. */
export function findEventDefinitionFor(
  capability: string,
  name: string,
  version: number,
): AnyEventDefinition | undefined {
  return BY_TYPE.get(`plantbridge.${capability}.${name}.v${version}`);
}
