import type { JsMsg } from 'nats';
import { deadLetterSubject } from '../naming/name-resolver';
import type { EventPublisher } from '../publishing/event-publisher';
import { fromNatsHeaders, HEADER } from '../publishing/headers';

/**
 * Copies a message to the DLQ stream with its original headers and body plus the reason and where it
 * came from. The copy's `Nats-Msg-Id` is derived from the original position, so dead-lettering the
 * same delivery twice (a crash between copy and term) stores one copy.
 */
export async function deadLetter(
  publisher: EventPublisher,
  msg: JsMsg,
  durable: string,
  reason: string,
): Promise<void> {
  const { stream, streamSequence, deliveryCount } = msg.info;
  // Nats-* headers steer the server (dedupe, expectations); the copy gets its own, and keeps the
  // original id as a Plantbridge header.
  const original = fromNatsHeaders(msg.headers);
  const kept = Object.fromEntries(Object.entries(original).filter(([key]) => !/^nats-/i.test(key)));
  await publisher.publishRaw({
    subject: deadLetterSubject(stream, durable),
    data: msg.data,
    msgId: `dlq:${stream}:${streamSequence}:${durable}`,
    headers: {
      ...kept,
      [HEADER.originalMsgId]: original['Nats-Msg-Id'] ?? '',
      [HEADER.deadLetterReason]: reason.slice(0, 4000),
      [HEADER.originalSubject]: msg.subject,
      [HEADER.originalStream]: stream,
      [HEADER.originalSequence]: String(streamSequence),
      [HEADER.deliveries]: String(deliveryCount),
      [HEADER.consumer]: durable,
    },
  });
}
