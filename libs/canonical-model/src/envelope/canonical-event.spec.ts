import { CloudEvent } from 'cloudevents';
import { samplePayload } from '../../testing';
import { validateAs } from '../validation/validate';
import { OperationConfirmedV1Event } from '../production';
import { causedBy, createEvent } from './canonical-event';
import { EnvelopeAttributes } from './envelope-attributes';

const payload = () => samplePayload('plantbridge.production.operation-confirmed.v1');
const origin = { plant: 'P100', source: '/plantbridge/P100/production-order-sync' };

describe('canonical event envelope', () => {
  it('is a valid CloudEvents 1.0 event with Plantbridge extensions (checked by the CloudEvents SDK)', () => {
    const event = createEvent(OperationConfirmedV1Event, payload(), { ...origin, subject: '1000123' });
    const cloudEvent = new CloudEvent({ ...event }, true);
    expect(cloudEvent.validate()).toBe(true);
    expect(cloudEvent.plantid).toBe('P100');
    expect(cloudEvent.correlationid).toBe(event.id);
    expect(validateAs(EnvelopeAttributes, event).ok).toBe(true);
  });

  it('gets time-ordered UUIDv7 ids', () => {
    const ids = Array.from(
      { length: 50 },
      () => createEvent(OperationConfirmedV1Event, payload(), origin).id,
    );
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries correlation and trace from its cause and names the cause', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const cause = createEvent(OperationConfirmedV1Event, payload(), { ...origin, traceparent });
    const effect = createEvent(
      OperationConfirmedV1Event,
      payload(),
      causedBy(cause, '/plantbridge/P100/erp-worker'),
    );
    expect(effect).toMatchObject({
      correlationid: cause.id,
      causationid: cause.id,
      traceparent,
      plantid: 'P100',
    });
    expect(effect.id).not.toBe(cause.id);
  });
});
