import { type CanonicalEvent, findEventDefinition, subjectFor } from '@plantbridge/canonical-model';
import { ErrorCode, NatsError } from 'nats';
import type { JetStreamConnection } from '../connection/jetstream-connection';
import { type HeaderMap, headersForEvent, toNatsHeaders } from './headers';

export interface PublishReceipt {
  stream: string;
  seq: number;
  /** The stream already had this `Nats-Msg-Id` inside its duplicate window and stored nothing. */
  duplicate: boolean;
}

export interface RawMessage {
  subject: string;
  data: Uint8Array | string;
  /** Becomes `Nats-Msg-Id`: the stream drops a repeat inside its duplicate window. */
  msgId: string;
  headers: HeaderMap;
}

const encoder = new TextEncoder();

const bodyOf = (message: RawMessage): Uint8Array =>
  typeof message.data === 'string' ? encoder.encode(message.data) : message.data;

/**
 * Bytes the broker counts against its `max_payload` for `message`: body plus headers as written,
 * `Nats-Msg-Id` included (the publish option adds it as a header).
 */
export function wireSize(message: RawMessage): number {
  const headers = toNatsHeaders({ ...message.headers, 'Nats-Msg-Id': message.msgId });
  return bodyOf(message).length + headers.encode().length;
}

/** The subject and wire form of a canonical event. */
export function toRawMessage(event: CanonicalEvent): RawMessage {
  const definition = findEventDefinition(event.type);
  if (!definition) throw new Error(`unknown event type "${event.type}"`);
  return {
    subject: subjectFor(definition, event.plantid),
    data: JSON.stringify(event),
    msgId: event.id,
    headers: headersForEvent(event),
  };
}

/**
 * The broker can never take this message: it is larger than the server's `max_payload`. Sending it
 * again changes nothing, so whoever holds it must set it aside (the outbox relay does, and
 * dead-letters a reference to it) instead of retrying it forever.
 */
export class MessageTooLargeError extends Error {
  constructor(
    readonly subject: string,
    readonly size: number,
    readonly maxPayload: number,
  ) {
    super(`${subject}: ${size} bytes with headers, above the server's max_payload of ${maxPayload}`);
    this.name = 'MessageTooLargeError';
  }
}

/**
 * Publishes to JetStream and resolves only when the stream has stored the message (PubAck).
 * Callers that publish many messages start several publishes and await them together; awaiting
 * each in turn caps a process near 6,000 msgs/s here.
 */
export class EventPublisher {
  constructor(
    private readonly connection: JetStreamConnection,
    private readonly timeoutMs = 5000,
  ) {}

  publish(event: CanonicalEvent): Promise<PublishReceipt> {
    return this.publishRaw(toRawMessage(event));
  }

  async publishRaw(message: RawMessage): Promise<PublishReceipt> {
    const js = this.connection.jetstream();
    try {
      const ack = await js.publish(message.subject, bodyOf(message), {
        msgID: message.msgId,
        headers: toNatsHeaders(message.headers),
        timeout: this.timeoutMs,
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      if (error instanceof NatsError && error.code === ErrorCode.MaxPayloadExceeded) {
        throw new MessageTooLargeError(message.subject, wireSize(message), this.connection.maxPayload() ?? 0);
      }
      throw error;
    }
  }
}
