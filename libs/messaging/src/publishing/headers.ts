import { context, propagation } from '@opentelemetry/api';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { type MsgHdrs, MsgHdrsImpl } from 'nats';

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
  /** Bytes of the original body; a copy too big for the broker carries none, only this and where it is. */
  originalSize: 'Plantbridge-Original-Size',
  deadLetterBody: 'Plantbridge-Dead-Letter-Body',
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

/** The longest header value written, in characters after escaping; a longer one is cut and marked. */
export const MAX_HEADER_VALUE_LENGTH = 2048;
const TRUNCATED = '...[truncated]';
const ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/**
 * A header value NATS takes whatever the text: printable ASCII is kept, CR, LF and tab become `\r`,
 * `\n`, `\t`, every other control character and all non-ASCII `\uXXXX` (UTF-16 units, as in JSON),
 * and the result is cut at `maxLength`. nats.js refuses CR/LF outright (a JSON parse error quoting
 * the body made the dead-letter header write throw, for ever), and a value is metadata for people and
 * filters: the body keeps the exact text.
 */
export function sanitizeHeaderValue(value: string, maxLength = MAX_HEADER_VALUE_LENGTH): string {
  let out = '';
  let fitsWithMark = 0;
  // Every unit becomes at least one character, so maxLength + 1 units decide whether it is cut.
  for (let i = 0; i < Math.min(value.length, maxLength + 1); i++) {
    const unit = value.charCodeAt(i);
    const piece =
      unit >= 0x20 && unit <= 0x7e
        ? String.fromCharCode(unit)
        : (ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, '0')}`);
    if (out.length + piece.length > maxLength) return out.slice(0, fitsWithMark) + TRUNCATED;
    out += piece;
    if (out.length <= maxLength - TRUNCATED.length) fitsWithMark = out.length;
  }
  return out;
}

/** A header name NATS takes: visible ASCII without `:` (RFC 822 field names); others become `_`. */
function sanitizeHeaderKey(key: string): string {
  return key.replace(/[^\x21-\x39\x3b-\x7e]/g, '_');
}

/** Every header the publisher writes goes through here, so none can make a publish throw. */
export function toNatsHeaders(map: HeaderMap): MsgHdrsImpl {
  // The implementation class (what `headers()` returns) also tells its encoded size.
  const h = new MsgHdrsImpl();
  for (const [key, value] of Object.entries(map)) {
    if (key) h.set(sanitizeHeaderKey(key), sanitizeHeaderValue(value));
  }
  return h;
}

export function fromNatsHeaders(h: MsgHdrs | undefined): HeaderMap {
  const map: HeaderMap = {};
  if (!h) return map;
  for (const key of h.keys()) map[key] = h.values(key).join(',');
  return map;
}

/**
 * The headers of a delivered message, or none when they cannot be read: nats.js parses them on first
 * access and throws on a name it would not write itself, which any raw publisher can send.
 */
export function headersOf(msg: { readonly headers?: MsgHdrs }): HeaderMap {
  try {
    return fromNatsHeaders(msg.headers);
  } catch {
    return {};
  }
}
