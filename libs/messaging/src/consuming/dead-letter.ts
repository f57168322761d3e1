import { ErrorCode, NatsError } from 'nats';
import { NatsUnavailableError } from '../connection/jetstream-connection';
import { deadLetterSubject } from '../naming/name-resolver';
import { type EventPublisher, type RawMessage, wireSize } from '../publishing/event-publisher';
import { HEADER, type HeaderMap } from '../publishing/headers';

/** A message a consumer gave up on: what the DLQ copy is made of and what a dead-letter hook gets. */
export interface DeadLetter {
  subject: string;
  stream: string;
  streamSequence: number;
  /** The delivery on which it was dead-lettered (1 on the first). */
  deliveryCount: number;
  durable: string;
  /** Why, unabridged (the DLQ header holds an escaped and bounded copy). */
  reason: string;
  data: Uint8Array;
  /** The original headers as delivered. */
  headers: HeaderMap;
  /** The original `Nats-Msg-Id` (the event id for Plantbridge events). */
  messageId?: string;
}

/** Called for every message a consumer dead-letters; see `@OnDeadLetter`. */
export type DeadLetterHook = (deadLetter: DeadLetter) => Promise<void>;

/** How the copy was stored: with the body, or by reference to the original's stream and sequence. */
export type DeadLetterForm = 'copy' | 'reference';

const NO_BODY = new Uint8Array(0);

/**
 * The DLQ copy of a dead letter: original headers and body plus the reason and where it came from,
 * unless that would exceed the broker's `max_payload` (a message near the limit plus the dead-letter
 * headers does not fit, and the publish failed on every redelivery). Then the copy carries no body,
 * only the original's stream, sequence and size, so an operator fetches it from its stream while the
 * stream retains it; if even the original headers do not fit, only ours. The copy's `Nats-Msg-Id`
 * is derived from the original position, so storing the same dead letter twice stores one copy.
 */
export function deadLetterCopy(
  letter: DeadLetter,
  maxPayload = Infinity,
): { message: RawMessage; form: DeadLetterForm } {
  // Nats-* headers steer the server (dedupe, expectations); the copy gets its own.
  const kept = Object.fromEntries(Object.entries(letter.headers).filter(([key]) => !/^nats-/i.test(key)));
  const ours: HeaderMap = {
    [HEADER.originalMsgId]: letter.messageId ?? '',
    [HEADER.deadLetterReason]: letter.reason,
    [HEADER.originalSubject]: letter.subject,
    [HEADER.originalStream]: letter.stream,
    [HEADER.originalSequence]: String(letter.streamSequence),
    [HEADER.originalSize]: String(letter.data.length),
    [HEADER.deliveries]: String(letter.deliveryCount),
    [HEADER.consumer]: letter.durable,
  };
  const base = {
    subject: deadLetterSubject(letter.stream, letter.durable),
    msgId: `dlq:${letter.stream}:${letter.streamSequence}:${letter.durable}`,
  };
  const omitted = {
    [HEADER.deadLetterBody]: `omitted, larger than max_payload ${maxPayload}: read ${letter.stream} sequence ${letter.streamSequence}`,
  };
  const copy = { ...base, data: letter.data, headers: { ...kept, ...ours } };
  if (wireSize(copy) <= maxPayload) return { message: copy, form: 'copy' };
  const reference = { ...base, data: NO_BODY, headers: { ...kept, ...ours, ...omitted } };
  if (wireSize(reference) <= maxPayload) return { message: reference, form: 'reference' };
  return { message: { ...base, data: NO_BODY, headers: { ...ours, ...omitted } }, form: 'reference' };
}

/** Stores the DLQ copy of a dead letter (see `deadLetterCopy`). */
export async function deadLetter(
  publisher: EventPublisher,
  letter: DeadLetter,
  maxPayload?: number,
): Promise<DeadLetterForm> {
  const { message, form } = deadLetterCopy(letter, maxPayload);
  await publisher.publishRaw(message);
  return form;
}

/** Failures that may go away by themselves: the broker unreachable, slow, or its JetStream not up. */
const TRANSIENT_CODES = new Set<string>([
  ErrorCode.Timeout,
  ErrorCode.NoResponders,
  ErrorCode.Disconnect,
  ErrorCode.ConnectionClosed,
  ErrorCode.ConnectionDraining,
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionTimeout,
  ErrorCode.JetStream408RequestTimeout,
]);

/** Whether storing a DLQ copy may succeed later; anything else (bad header, too big, refused) will not. */
export function isTransientPublishFailure(error: unknown): boolean {
  if (error instanceof NatsUnavailableError) return true;
  return error instanceof NatsError && TRANSIENT_CODES.has(error.code);
}
