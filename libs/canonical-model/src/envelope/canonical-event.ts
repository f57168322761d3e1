import { v7 as uuidv7 } from 'uuid';
import type { EventType, PayloadOf } from '../catalog/event-catalog';
import type { EventDefinition } from '../catalog/event-definition';

/**
 * A Plantbridge event: a CloudEvents 1.0 structured-mode JSON document with the extensions `plantid`,
 * `correlationid`, `causationid` and `traceparent`. `id` is a UUIDv7 (time-ordered) and doubles as
 * the JetStream `Nats-Msg-Id`, so a re-published event is dropped by the stream's duplicate window.
 */
export interface CanonicalEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  /** URI reference of the producer, e.g. `/plantbridge/P100/edge-gateway`. */
  source: string;
  type: T;
  /** CloudEvents `subject`: the business object the event is about, e.g. the order number. */
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  plantid: string;
  /** The first event of a chain (machine signal, MES request); carried unchanged to the ERP posting. */
  correlationid: string;
  /** The event that directly caused this one. */
  causationid?: string;
  /** W3C trace context of the producer. */
  traceparent?: string;
  data: PayloadOf<T>;
}

export interface EventOrigin {
  plant: string;
  source: string;
  subject?: string;
  /** Defaults to the new event's own id: the event starts a chain. */
  correlationId?: string;
  causationId?: string;
  traceparent?: string;
  /** Only for replaying or importing events that already have an id; new events get a UUIDv7. */
  id?: string;
  time?: Date;
}

export function createEvent<T extends EventType>(
  definition: EventDefinition & { type: T },
  data: PayloadOf<T>,
  origin: EventOrigin,
): CanonicalEvent<T> {
  const id = origin.id ?? uuidv7();
  const event: CanonicalEvent<T> = {
    specversion: '1.0',
    id,
    source: origin.source,
    type: definition.type,
    time: (origin.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    plantid: origin.plant,
    correlationid: origin.correlationId ?? id,
    data,
  };
  if (origin.subject !== undefined) event.subject = origin.subject;
  if (origin.causationId !== undefined) event.causationid = origin.causationId;
  if (origin.traceparent !== undefined) event.traceparent = origin.traceparent;
  return event;
}

/** The origin of an event caused by `cause`: same plant, correlation and trace; `cause` as causation. */
export function causedBy(
  cause: Pick<CanonicalEvent, 'id' | 'plantid' | 'correlationid' | 'traceparent'>,
  source: string,
  subject?: string,
): EventOrigin {
  return {
    plant: cause.plantid,
    source,
    subject,
    correlationId: cause.correlationid,
    causationId: cause.id,
    traceparent: cause.traceparent,
  };
}
