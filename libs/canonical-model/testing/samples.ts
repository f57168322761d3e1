import type { EventType, PayloadOf } from '../src';

const at = '2026-11-26T08:00:00.000Z';
const later = '2026-11-26T09:30:00.000Z';
const equipment = { equipmentId: 'P100-L1-M01', plant: 'P100', sourceTimestamp: at, serverTimestamp: at };
const movement = {
  movementKey: 'MV-0001',
  movementKind: 'goods-issue' as const,
  goodsMovementType: '261',
  material: 'FG-1000',
  plant: 'P100',
  storageLocation: '0001',
  quantity: 12.5,
  unit: 'KG',
  batch: 'B0001',
  manufacturingOrder: '1000123',
  occurredAt: at,
};

/** One valid payload of every event type, for tests of every library that handles events. */
export const VALID_PAYLOADS: { [T in EventType]: PayloadOf<T> } = {
  'plantbridge.production.order-released.v1': {
    manufacturingOrder: '1000123',
    plant: 'P100',
    material: 'FG-1000',
    totalQuantity: 500,
    unit: 'PC',
    scheduledStart: at,
    scheduledEnd: later,
    operations: [
      { operation: '0010', workCenter: 'ASSY01', description: 'Assemble', plannedQuantity: 500 },
      { operation: '0020', workCenter: 'PACK01' },
    ],
    releasedAt: at,
  },
  'plantbridge.production.order-acknowledged.v1': {
    manufacturingOrder: '1000123',
    plant: 'P100',
    accepted: true,
    acknowledgedBy: 'mes-line-1',
    acknowledgedAt: at,
  },
  'plantbridge.production.operation-started.v1': {
    manufacturingOrder: '1000123',
    operation: '0010',
    plant: 'P100',
    workCenter: 'ASSY01',
    equipmentId: 'P100-L1-M01',
    startedAt: at,
  },
  'plantbridge.production.operation-completed.v1': {
    manufacturingOrder: '1000123',
    operation: '0010',
    plant: 'P100',
    completedAt: later,
  },
  'plantbridge.production.operation-confirmed.v1': {
    confirmationKey: 'MES-CONF-0001',
    manufacturingOrder: '1000123',
    operation: '0010',
    plant: 'P100',
    yieldQuantity: 240,
    scrapQuantity: 3,
    reworkQuantity: 0,
    unit: 'PC',
    finalConfirmation: false,
    executionStart: at,
    executionEnd: later,
  },
  'plantbridge.inventory.material-movement-requested.v1': movement,
  'plantbridge.inventory.material-movement-posted.v1': {
    ...movement,
    materialDocument: '4900001234',
    materialDocumentYear: '2026',
  },
  'plantbridge.inventory.material-movement-rejected.v1': {
    ...movement,
    reason: 'Material FG-1000 is blocked by quality hold H-1',
    reasonCode: 'quality-hold',
  },
  'plantbridge.equipment.state-changed.v1': {
    ...equipment,
    state: 'Executing',
    previousState: 'NotExecuting',
    previousStateDurationMs: 60_000,
    mode: 'Processing',
    context: { manufacturingOrder: '1000123', operation: '0010' },
  },
  'plantbridge.equipment.cycle-completed.v1': { ...equipment, goodCount: 10, scrapCount: 1, unit: 'PC' },
  'plantbridge.equipment.alarm-raised.v1': {
    ...equipment,
    alarmId: 'A-17',
    alarmClass: 'spindle',
    severity: 800,
    message: 'Spindle over temperature',
  },
  'plantbridge.equipment.alarm-cleared.v1': { ...equipment, alarmId: 'A-17' },
  'plantbridge.equipment.threshold-crossed.v1': {
    ...equipment,
    signal: 'temperature',
    value: 81.5,
    limit: 80,
    direction: 'above-high',
    unit: 'CEL',
  },
  'plantbridge.quality.inspection-requested.v1': {
    inspectionKey: 'INSP-1',
    plant: 'P100',
    material: 'FG-1000',
    batch: 'B0001',
    manufacturingOrder: '1000123',
    operation: '0010',
    reason: 'First article',
    quantity: 5,
    unit: 'PC',
    requestedAt: at,
  },
  'plantbridge.quality.result-recorded.v1': {
    inspectionKey: 'INSP-1',
    plant: 'P100',
    characteristic: 'DIAMETER',
    valuation: 'accepted',
    measuredValue: 12.01,
    unit: 'MM',
    recordedAt: at,
  },
  'plantbridge.quality.hold-placed.v1': {
    holdId: 'H-1',
    plant: 'P100',
    material: 'FG-1000',
    batch: 'B0001',
    reason: 'Diameter out of tolerance',
    placedAt: at,
  },
  'plantbridge.quality.hold-released.v1': {
    holdId: 'H-1',
    plant: 'P100',
    usageDecision: 'A',
    releasedAt: later,
  },
  'plantbridge.quality.nonconformance-opened.v1': {
    nonconformanceId: 'NC-1',
    plant: 'P100',
    material: 'FG-1000',
    defectCode: 'DIM-01',
    description: 'Diameter 12.4 mm, limit 12.1 mm',
    severity: 'major',
    quantity: 3,
    unit: 'PC',
    openedAt: at,
  },
  'plantbridge.maintenance.notification-requested.v1': {
    requestKey: 'ALM-P100-L1-M01-A-17-1',
    plant: 'P100',
    equipmentId: 'P100-L1-M01',
    notificationType: 'M2',
    priority: '2',
    description: 'Spindle over temperature',
    alarmId: 'A-17',
    detectedAt: at,
  },
  'plantbridge.maintenance.notification-created.v1': {
    requestKey: 'ALM-P100-L1-M01-A-17-1',
    plant: 'P100',
    equipmentId: 'P100-L1-M01',
    maintenanceNotification: '10004711',
    createdAt: at,
  },
};

/** A fresh copy of the sample payload of `type`, safe to mutate. */
export function samplePayload<T extends EventType>(type: T): PayloadOf<T> {
  return structuredClone(VALID_PAYLOADS[type]);
}
