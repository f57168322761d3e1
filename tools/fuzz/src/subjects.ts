import {
  type AnyEventDefinition,
  type CanonicalEvent,
  Equipment,
  Production,
  subjectFor,
} from '@plantbridge/canonical-model';
import { durableNameFor, streamForSubject } from '@plantbridge/messaging';
import fc from 'fast-check';
import { PAYLOAD_FIELDS } from './event-input';
import type { FieldSpecs } from './field-rules';
import type { Breach } from './http-invariants';
import type { ServiceName } from './routes';

/** What the plant has for events to refer to, and how to see their effects. */
export interface EventTargets {
  plant: string;
  /** Acknowledged, with quantity to spare: production counts confirm against it. */
  countOrder: string;
  /** Confirmations ERP holds already, as their `operation-confirmed` payloads. */
  posted: Production.OperationConfirmedV1[];
  /** Equipment with an order operation running on it (set before an operation-completed run). */
  running: Array<{ equipmentId: string; manufacturingOrder: string; operation: string }>;
  /** How many times ERP holds each confirmation (by `ExternalSystemConfirmation`). */
  erpHoldings(): Promise<Map<string, number>>;
  /** The edge gateway's production contexts: equipment id to order. */
  contexts(): Promise<Map<string, string>>;
  /** A valid confirmation over REST, for good input the service itself publishes; its id if accepted. */
  confirmOverRest(): Promise<string | undefined>;
}

/** One consumed subject: which consumer, what a valid event is, and what it must have done. */
export interface SubjectSpec {
  name: string;
  service: ServiceName;
  definition: AnyEventDefinition;
  fields: FieldSpecs;
  good(t: EventTargets): fc.Arbitrary<object>;
  /** Every tenth input, a valid one through another door (REST), if the subject has one. */
  interleave?(t: EventTargets): Promise<string | undefined>;
  /** What the good events (and interleaved inputs) must have done once everything settled. */
  verify(t: EventTargets, good: CanonicalEvent[], interleaved: string[]): Promise<Breach[]>;
}

const SERVICE_NAMES: Record<ServiceName, string> = { orders: 'production-order-sync', edge: 'edge-gateway' };

export function consumerOf(spec: SubjectSpec, plant: string) {
  const subject = subjectFor(spec.definition, plant);
  return {
    subject,
    stream: streamForSubject(subject),
    durable: durableNameFor(SERVICE_NAMES[spec.service], subject),
  };
}

const at = fc.date({
  min: new Date('2026-01-01T00:00:00Z'),
  max: new Date('2026-12-01T00:00:00Z'),
  noInvalidDate: true,
});
const period = at.map((d) => [d.toISOString(), new Date(d.getTime() + 300_000).toISOString()] as const);
const operation = fc.constantFrom('0010', '0020');

/** ERP must hold each key exactly once: not lost, not posted twice. */
async function exactlyOnceInErp(t: EventTargets, keys: string[], what: string): Promise<Breach[]> {
  const holdings = await t.erpHoldings();
  return keys.flatMap((key) => {
    const held = holdings.get(key) ?? 0;
    return held === 1
      ? []
      : [{ rule: held === 0 ? `${what} not in ERP` : `${what} in ERP ${held} times`, detail: key }];
  });
}

const productionCounted: SubjectSpec = {
  name: 'production-counted',
  service: 'orders',
  definition: Equipment.ProductionCountedV1Event,
  fields: PAYLOAD_FIELDS.productionCounted,
  good: (t) =>
    fc
      .record({
        good: fc.integer({ min: 1, max: 5 }),
        scrap: fc.integer({ min: 0, max: 2 }),
        operation,
        period,
      })
      .map((c) => ({
        equipmentId: `${t.plant}-M01`,
        plant: t.plant,
        manufacturingOrder: t.countOrder,
        operation: c.operation,
        goodCount: c.good,
        scrapCount: c.scrap,
        unit: 'PC',
        periodStart: c.period[0],
        periodEnd: c.period[1],
      })),
  // A count becomes a confirmation whose key derives from the event id; ERP must hold it once.
  verify: async (t, good) =>
    exactlyOnceInErp(
      t,
      good.map((e) => Production.confirmationKeyForCount(e.id)),
      'confirmation of a valid count',
    ),
};

/** A confirmation ERP holds already, sent again: processed (acked), and ERP still holds it once. */
const replayOfPosted = (t: EventTargets) => fc.constantFrom(...t.posted);

const operationConfirmed: SubjectSpec = {
  name: 'operation-confirmed',
  service: 'orders',
  definition: Production.OperationConfirmedV1Event,
  fields: PAYLOAD_FIELDS.operationConfirmed,
  good: replayOfPosted,
  interleave: (t) => t.confirmOverRest(),
  verify: async (t, good, interleaved) => {
    const replayed = good.map((e) => (e.data as Production.OperationConfirmedV1).confirmationKey);
    return [
      ...(await exactlyOnceInErp(t, replayed, 'replayed confirmation')),
      ...(await exactlyOnceInErp(t, interleaved, 'confirmation accepted over REST')),
    ];
  },
};

const retryRequested: SubjectSpec = {
  name: 'confirmation-retry-requested',
  service: 'orders',
  definition: Production.ConfirmationRetryRequestedV1Event,
  fields: PAYLOAD_FIELDS.retryRequested,
  good: (t) =>
    fc.tuple(replayOfPosted(t), at).map(([c, requestedAt]) => ({
      confirmationKey: c.confirmationKey,
      manufacturingOrder: c.manufacturingOrder,
      operation: c.operation,
      plant: t.plant,
      requestedBy: 'fuzz',
      requestedAt: requestedAt.toISOString(),
    })),
  verify: async (t, good) =>
    exactlyOnceInErp(
      t,
      good.map((e) => (e.data as Production.ConfirmationRetryRequestedV1).confirmationKey),
      'retried confirmation',
    ),
};

const operationStarted: SubjectSpec = {
  name: 'operation-started',
  service: 'edge',
  definition: Production.OperationStartedV1Event,
  fields: PAYLOAD_FIELDS.operationStarted,
  // Equipment of its own per event, so each one's effect (a production context) can be told apart.
  good: (t) =>
    fc
      .tuple(fc.uuid(), fc.stringMatching(/^[0-9]{7,12}$/), operation, at)
      .map(([id, order, op, startedAt]) => ({
        manufacturingOrder: order,
        operation: op,
        plant: t.plant,
        workCenter: 'ASSY01',
        equipmentId: `fz-${id}`,
        startedAt: startedAt.toISOString(),
      })),
  verify: async (t, good) => {
    const contexts = await t.contexts();
    return good.flatMap((e) => {
      const data = e.data as Production.OperationStartedV1;
      const order = contexts.get(data.equipmentId ?? '');
      return order === data.manufacturingOrder
        ? []
        : [{ rule: 'valid start left no production context', detail: `${data.equipmentId}: ${order}` }];
    });
  },
};

const operationCompleted: SubjectSpec = {
  name: 'operation-completed',
  service: 'edge',
  definition: Production.OperationCompletedV1Event,
  fields: PAYLOAD_FIELDS.operationCompleted,
  good: (t) =>
    fc
      .tuple(fc.constantFrom(...t.running), at)
      .map(([r, completedAt]) => ({ ...r, plant: t.plant, completedAt: completedAt.toISOString() })),
  verify: async (t, good) => {
    const contexts = await t.contexts();
    const ended = new Set(good.map((e) => (e.data as Production.OperationCompletedV1).equipmentId ?? ''));
    return [...ended].flatMap((id) =>
      contexts.has(id) ? [{ rule: 'valid completion left the production context', detail: id }] : [],
    );
  },
};

/** Every consumed subject of production-order-sync and edge-gateway. New subjects join here. */
export const SUBJECTS: SubjectSpec[] = [
  productionCounted,
  operationConfirmed,
  retryRequested,
  operationStarted,
  operationCompleted,
];
