import { ErrorCode, NatsError } from 'nats';
import { NatsUnavailableError } from '../connection/jetstream-connection';
import { wireSize } from '../publishing/event-publisher';
import { HEADER } from '../publishing/headers';
import { type DeadLetter, deadLetterCopy, isTransientPublishFailure } from './dead-letter';

const letter = (data: Uint8Array, headers: Record<string, string> = {}): DeadLetter => ({
  subject: 'mfg.production.v1.P100.operation-confirmed',
  stream: 'PRODUCTION',
  streamSequence: 42,
  deliveryCount: 1,
  durable: 'svc--production-v1-P100-operation-confirmed',
  reason: 'body is not JSON: Unexpected token \'o\', "{"a":\n\n foo}" is not valid JSON',
  data,
  headers: { 'Nats-Msg-Id': 'm-1', 'Plantbridge-Correlation-Id': 'c-1', ...headers },
  messageId: 'm-1',
});

describe('deadLetterCopy', () => {
  it('copies body and headers with the reason and where the message came from', () => {
    const { message, form } = deadLetterCopy(letter(Buffer.from('{"a":\n\n foo}')), 1024 * 1024);
    expect(form).toBe('copy');
    expect(Buffer.from(message.data as Uint8Array).toString()).toBe('{"a":\n\n foo}');
    expect(message).toMatchObject({
      subject: 'dlq.PRODUCTION.svc--production-v1-P100-operation-confirmed',
      msgId: 'dlq:PRODUCTION:42:svc--production-v1-P100-operation-confirmed',
    });
    expect(message.headers).toMatchObject({
      'Plantbridge-Correlation-Id': 'c-1',
      [HEADER.originalMsgId]: 'm-1',
      [HEADER.originalStream]: 'PRODUCTION',
      [HEADER.originalSequence]: '42',
      [HEADER.originalSize]: '12',
    });
    expect(message.headers['Nats-Msg-Id']).toBeUndefined();
  });

  it('keeps a message that would not fit max_payload by reference: no body, its stream, sequence and size', () => {
    const maxPayload = 4096;
    const { message, form } = deadLetterCopy(letter(new Uint8Array(maxPayload - 200)), maxPayload);
    expect(form).toBe('reference');
    expect(message.data).toHaveLength(0);
    expect(message.headers).toMatchObject({
      'Plantbridge-Correlation-Id': 'c-1',
      [HEADER.originalSequence]: '42',
      [HEADER.originalSize]: String(maxPayload - 200),
    });
    expect(message.headers[HEADER.deadLetterBody]).toMatch(/^omitted/);
    expect(wireSize(message)).toBeLessThanOrEqual(maxPayload);
  });

  it('drops the original headers too when even they do not fit', () => {
    const maxPayload = 4096;
    const { message } = deadLetterCopy(
      letter(new Uint8Array(10), { 'X-Big': 'y'.repeat(2000), 'X-Bigger': 'z'.repeat(2000) }),
      maxPayload,
    );
    expect(message.headers['X-Big']).toBeUndefined();
    expect(message.headers[HEADER.originalSequence]).toBe('42');
    expect(wireSize(message)).toBeLessThanOrEqual(maxPayload);
  });
});

describe('isTransientPublishFailure', () => {
  it('retries what may go away (broker away, timeout, no JetStream) and nothing else', () => {
    expect(isTransientPublishFailure(new NatsUnavailableError('not connected'))).toBe(true);
    expect(isTransientPublishFailure(NatsError.errorForCode(ErrorCode.Timeout))).toBe(true);
    expect(isTransientPublishFailure(NatsError.errorForCode(ErrorCode.NoResponders))).toBe(true);
    expect(isTransientPublishFailure(NatsError.errorForCode(ErrorCode.MaxPayloadExceeded))).toBe(false);
    expect(isTransientPublishFailure(NatsError.errorForCode(ErrorCode.BadHeader))).toBe(false);
    expect(isTransientPublishFailure(new Error('maximum messages exceeded'))).toBe(false);
  });
});
