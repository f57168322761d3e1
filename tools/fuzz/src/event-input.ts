import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { FieldSpecs } from './field-rules';

/**
 * What a published event must end as: `good` processed with its effect, `dead-letter` in the DLQ
 * with a reason, `either` one of the two (never left undelivered), `too-large` refused by the
 * broker at publish (above max_payload), so never delivered at all.
 */
export type EventExpectation = 'good' | 'dead-letter' | 'either' | 'too-large';

/** One message of a fuzz run, as it goes to JetStream. */
export interface EventInput {
  subject: string;
  data: Buffer;
  headers: Record<string, string>;
  expect: EventExpectation;
  label: string;
  /** The event as built, for the good ones: their effect is checked. */
  event?: CanonicalEvent;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
export const PLANT = /^[A-Za-z0-9_-]{1,32}$/;

/** The CloudEvents attributes of a Plantbridge envelope (libs/canonical-model envelope-attributes.ts). */
export const ENVELOPE_FIELDS: FieldSpecs = {
  specversion: { rule: { kind: 'text', max: 3, pattern: /^1\.0$/ } },
  id: { rule: { kind: 'text', max: 36, pattern: UUID_V7 } },
  source: { rule: { kind: 'text', max: 255 } },
  type: { rule: { kind: 'text', max: 255, pattern: /^plantbridge\.[a-z]+\.[a-z0-9-]+\.v\d+$/ } },
  subject: { rule: { kind: 'text', max: 255 }, optional: true },
  time: { rule: { kind: 'timestamp' } },
  datacontenttype: { rule: { kind: 'text', max: 16, pattern: /^application\/json$/ } },
  plantid: { rule: { kind: 'text', max: 32, pattern: PLANT } },
  correlationid: { rule: { kind: 'text', max: 64 } },
  causationid: { rule: { kind: 'text', max: 64 }, optional: true },
  traceparent: { rule: { kind: 'text', max: 55, pattern: TRACEPARENT }, optional: true },
};

const text = (max: number) => ({ rule: { kind: 'text' as const, max } });
const operation = { rule: { kind: 'text' as const, max: 4, pattern: /^\d{4}$/ } };
const timestamp = { rule: { kind: 'timestamp' as const } };
const plant = { rule: { kind: 'text' as const, max: 32, pattern: PLANT } };

/** Payload fields of each consumed event type, as the canonical payload classes declare them. */
export const PAYLOAD_FIELDS = {
  productionCounted: {
    equipmentId: text(64),
    plant,
    manufacturingOrder: text(12),
    operation,
    goodCount: { rule: { kind: 'count' } },
    scrapCount: { rule: { kind: 'count' } },
    unit: text(3),
    periodStart: timestamp,
    periodEnd: timestamp,
  },
  operationConfirmed: {
    confirmationKey: text(40),
    manufacturingOrder: text(12),
    operation,
    plant,
    yieldQuantity: { rule: { kind: 'number' } },
    scrapQuantity: { rule: { kind: 'number' } },
    reworkQuantity: { rule: { kind: 'number' } },
    unit: text(3),
    finalConfirmation: { rule: { kind: 'boolean' } },
    executionStart: timestamp,
    executionEnd: timestamp,
    postingDate: { ...timestamp, optional: true },
  },
  retryRequested: {
    confirmationKey: text(40),
    manufacturingOrder: text(12),
    operation,
    plant,
    requestedBy: text(64),
    reason: { ...text(255), optional: true },
    requestedAt: timestamp,
  },
  operationStarted: {
    manufacturingOrder: text(12),
    operation,
    plant,
    workCenter: text(8),
    equipmentId: { ...text(64), optional: true },
    startedAt: timestamp,
  },
  operationCompleted: {
    manufacturingOrder: text(12),
    operation,
    plant,
    equipmentId: { ...text(64), optional: true },
    completedAt: timestamp,
  },
} satisfies Record<string, FieldSpecs>;
