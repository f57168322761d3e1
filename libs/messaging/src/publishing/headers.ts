import { context, propagation } from '@opentelemetry/api';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

/** Header names on every Plantbridge message. `Nats-Msg-Id` is set by the publish option `msgID`. */
export const HEADER = {
  contentType: 'Content-Type',
  eventType: 'Plantbridge-Event-Type',
  plant: 'Plantbridge-Plant',
  correlationId: 'Plantbridge-Correlation-Id',
  causationId: 'Plantbridge-Causation-Id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  // Dead-letter headers
  deadLetterReason: 'Plantbridge-Dead-Letter-Reason',
  originalSubject: 'Plantbridge-Original-Subject',
  originalStream: 'Plantbridge-Original-Stream',
  originalSequence: 'Plantbridge-Original-Sequence',
  originalMsgId: 'Plantbridge-Original-Msg-Id',
  deliveries: 'Plantbridge-Deliveries',
  consumer: 'Plantbridge-Consumer',
} as const;

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** Message headers as a plain map: what the outbox stores and the publisher sends. */
export type HeaderMap = Record<string, string>;

/**
 * The headers of an event: routing metadata copied from the envelope so consumers and operators can
 * filter without parsing the body, and the W3C trace context (the active span's if there is one).
 */
export function headersForEvent(event: CanonicalEvent): HeaderMap {
  const map: HeaderMap = {
    [HEADER.contentType]: CLOUDEVENTS_JSON,
    [HEADER.eventType]: event.type,
    [HEADER.plant]: event.plantid,
    [HEADER.correlationId]: event.correlationid,
  };
  if (event.causationid) map[HEADER.causationId] = event.causationid;
  propagation.inject(context.active(), map);
  if (!map[HEADER.traceparent] && event.traceparent) map[HEADER.traceparent] = event.traceparent;
  return map;
}

export function toNatsHeaders(map: HeaderMap): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(map)) h.set(key, value);
  return h;
}

export function fromNatsHeaders(h: MsgHdrs | undefined): HeaderMap {
  const map: HeaderMap = {};
  if (!h) return map;
  for (const key of h.keys()) map[key] = h.values(key).join(',');
  return map;
}
