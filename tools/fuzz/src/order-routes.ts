import fc from 'fast-check';
import type { FieldSpecs } from './field-rules';
import {
  defined,
  type FuzzTargets,
  name,
  noBody,
  optional,
  pick,
  plantParam,
  quantity,
  type RouteSpec,
  span,
  text,
  timestamp,
} from './route-spec';

const ORDERS = '/v1/plants/:plant/production-orders';
const MES_STATES = ['released', 'acknowledged', 'rejected', 'in-progress', 'completed'] as const;
const POSTING_STATES = ['pending', 'in-flight', 'in-doubt', 'posted', 'failed', 'discarded'] as const;
const OPERATION = /^\d{4}$/;

/** The routes of production-order-sync (its controllers under apps/production-order-sync/src). */
export function orderRoutes(): RouteSpec[] {
  return [
    {
      name: 'GET production-orders',
      service: 'orders',
      method: 'GET',
      template: ORDERS,
      query: { status: { values: MES_STATES } },
      valid: (t) =>
        optional(fc.constantFrom(...MES_STATES)).map((status) => ({
          params: plantParam(t),
          query: status ? [['status', status]] : [],
        })),
    },
    {
      name: 'GET production-order',
      service: 'orders',
      method: 'GET',
      template: `${ORDERS}/:order`,
      valid: (t) =>
        pick([...t.confirmOrders, ...t.releasedOrders]).map((order) => ({
          params: { ...plantParam(t), order },
          query: [],
        })),
    },
    {
      name: 'POST acknowledgement',
      service: 'orders',
      method: 'POST',
      template: `${ORDERS}/:order/acknowledgement`,
      idempotent: true,
      body: {
        accepted: { rule: { kind: 'boolean' } },
        rejectionReason: { rule: { kind: 'text', max: 255 }, optional: true },
        acknowledgedBy: { rule: { kind: 'text', max: 64 }, optional: true },
      },
      valid: (t) =>
        fc
          .tuple(pick(t.releasedOrders), fc.boolean(), text, optional(name))
          .map(([order, accepted, reason, by]) => ({
            params: { ...plantParam(t), order },
            query: [],
            body: defined({ accepted, rejectionReason: accepted ? undefined : reason, acknowledgedBy: by }),
          })),
    },
    {
      name: 'POST operation start',
      service: 'orders',
      method: 'POST',
      template: `${ORDERS}/:order/operations/:operation/start`,
      idempotent: true,
      body: {
        equipmentId: { rule: { kind: 'text', max: 64 }, optional: true },
        startedAt: { rule: { kind: 'timestamp' }, optional: true },
      },
      valid: (t) =>
        fc
          .tuple(pick(t.operationOrders), fc.nat(), optional(name), optional(timestamp))
          .map(([o, i, equipmentId, startedAt]) => ({
            params: { ...plantParam(t), order: o.order, operation: o.operations[i % o.operations.length] },
            query: [],
            body: defined({ equipmentId, startedAt }),
          })),
    },
    {
      name: 'POST operation complete',
      service: 'orders',
      method: 'POST',
      template: `${ORDERS}/:order/operations/:operation/complete`,
      idempotent: true,
      body: { completedAt: { rule: { kind: 'timestamp' }, optional: true } },
      valid: (t) =>
        fc.tuple(pick(t.operationOrders), fc.nat(), optional(timestamp)).map(([o, i, completedAt]) => ({
          params: { ...plantParam(t), order: o.order, operation: o.operations[i % o.operations.length] },
          query: [],
          body: defined({ completedAt }),
        })),
    },
    {
      name: 'POST confirmations',
      service: 'orders',
      method: 'POST',
      template: `${ORDERS}/:order/confirmations`,
      idempotent: true,
      body: CONFIRMATION_FIELDS,
      valid: (t) => validConfirmation(t, t.confirmOrders),
    },
    {
      name: 'GET confirmations',
      service: 'orders',
      method: 'GET',
      template: `${ORDERS}/:order/confirmations`,
      valid: (t) =>
        pick(t.confirmOrders).map((order) => ({ params: { ...plantParam(t), order }, query: [] })),
    },
    {
      name: 'GET confirmation',
      service: 'orders',
      method: 'GET',
      template: `${ORDERS}/:order/confirmations/:id`,
      valid: (t) =>
        fc
          .oneof(
            pick(t.confirmations),
            fc.tuple(pick(t.confirmOrders), fc.uuid()).map(([order, id]) => ({ order, id })),
          )
          .map((c) => ({ params: { ...plantParam(t), order: c.order, id: c.id }, query: [] })),
    },
    {
      name: 'GET erp-postings',
      service: 'orders',
      method: 'GET',
      template: '/v1/plants/:plant/erp-postings',
      query: { state: { values: POSTING_STATES } },
      valid: (t) =>
        optional(fc.constantFrom(...POSTING_STATES)).map((state) => ({
          params: plantParam(t),
          query: state ? [['state', state]] : [],
        })),
    },
    {
      name: 'GET erp-posting',
      service: 'orders',
      method: 'GET',
      template: '/v1/plants/:plant/erp-postings/:key',
      valid: (t) =>
        fc
          .oneof(pick(t.failedPostings), fc.uuid())
          .map((key) => ({ params: { ...plantParam(t), key }, query: [] })),
    },
    {
      name: 'POST erp-posting retry',
      service: 'orders',
      method: 'POST',
      template: '/v1/plants/:plant/erp-postings/:key/retry',
      idempotent: true,
      body: {
        requestedBy: { rule: { kind: 'text', max: 64 }, optional: true },
        reason: { rule: { kind: 'text', max: 255 }, optional: true },
      },
      valid: (t) =>
        fc.tuple(pick(t.failedPostings), name, optional(text)).map(([key, requestedBy, reason]) => ({
          params: { ...plantParam(t), key },
          query: [],
          body: defined({ requestedBy, reason }),
        })),
    },
    {
      name: 'POST erp-posting discard',
      service: 'orders',
      method: 'POST',
      template: '/v1/plants/:plant/erp-postings/:key/discard',
      idempotent: true,
      body: {
        requestedBy: { rule: { kind: 'text', max: 64 }, optional: true },
        reason: { rule: { kind: 'text', max: 255 } },
      },
      valid: (t) =>
        // Most go to a posting that does not exist: discarding is for good, the queue would empty at once.
        fc
          .tuple(
            fc.oneof({ weight: 1, arbitrary: pick(t.failedPostings) }, { weight: 9, arbitrary: fc.uuid() }),
            name,
            text,
          )
          .map(([key, requestedBy, reason]) => ({
            params: { ...plantParam(t), key },
            query: [],
            body: { requestedBy, reason },
          })),
    },
    {
      name: 'GET erp status',
      service: 'orders',
      method: 'GET',
      template: '/v1/plants/:plant/erp/status',
      valid: (t) => fc.constant({ params: plantParam(t), query: [] }),
    },
    {
      name: 'GET openapi.json',
      service: 'orders',
      method: 'GET',
      template: '/openapi.json',
      valid: () => fc.constant(noBody),
    },
    {
      name: 'GET docs asset',
      service: 'orders',
      method: 'GET',
      template: '/docs/:asset',
      valid: () =>
        pick(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js', 'favicon-32x32.png']).map(
          (asset) => ({
            params: { asset },
            query: [],
          }),
        ),
    },
  ];
}

const CONFIRMATION_FIELDS: FieldSpecs = {
  operation: { rule: { kind: 'text', max: 4, pattern: OPERATION } },
  yieldQuantity: { rule: { kind: 'quantity' } },
  scrapQuantity: { rule: { kind: 'quantity' }, optional: true },
  reworkQuantity: { rule: { kind: 'quantity' }, optional: true },
  unit: { rule: { kind: 'text', max: 3 } },
  finalConfirmation: { rule: { kind: 'boolean' }, optional: true },
  executionStart: { rule: { kind: 'timestamp' } },
  executionEnd: { rule: { kind: 'timestamp' } },
  postingDate: { rule: { kind: 'timestamp' }, optional: true },
};

/** A confirmation any of `orders` accepts: operation 0010 or 0020 of an order in PC, end after start. */
function validConfirmation(t: FuzzTargets, orders: string[]) {
  return fc
    .record({
      order: pick(orders),
      operation: fc.constantFrom('0010', '0020'),
      yieldQuantity: quantity,
      scrapQuantity: optional(quantity),
      reworkQuantity: optional(quantity),
      finalConfirmation: optional(fc.constant(false)),
      span,
      postingDate: optional(timestamp),
    })
    .map(({ order, span: [executionStart, executionEnd], ...fields }) => ({
      params: { ...plantParam(t), order },
      query: [] as Array<[string, string]>,
      body: defined({ ...fields, unit: 'PC', executionStart, executionEnd }),
    }));
}
