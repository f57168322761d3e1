import { samplePayload } from '../../testing';
import { createEvent } from '../envelope/canonical-event';
import { OrderReleasedV1, OrderReleasedV1Event } from '../production';
import { decodeEvent } from './decode-event';
import { validateAs } from './validate';

describe('payload validation', () => {
  it('accepts a valid payload and returns a class instance', () => {
    const result = validateAs(OrderReleasedV1, samplePayload('plantbridge.production.order-released.v1'));
    expect(result.ok && result.value).toBeInstanceOf(OrderReleasedV1);
  });

  it('reports every field error, nested ones with their path', () => {
    const payload = {
      ...samplePayload('plantbridge.production.order-released.v1'),
      manufacturingOrder: '',
      totalQuantity: -1,
      unit: undefined,
      scheduledStart: '2026-11-26',
      operations: [{ operation: '10', workCenter: 'ASSY01' }],
    };
    const result = validateAs(OrderReleasedV1, payload);
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field).sort();
    expect(fields).toEqual([
      'manufacturingOrder',
      'operations[0].operation',
      'scheduledStart',
      'totalQuantity',
      'unit',
    ]);
  });

  it('treats null in an optional field as an error, not as absent', () => {
    const payload = {
      ...samplePayload('plantbridge.production.order-released.v1'),
      operations: [{ operation: '0010', workCenter: 'A', description: null }],
    };
    const result = validateAs(OrderReleasedV1, payload);
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['operations[0].description']);
  });

  it('keeps unknown fields so newer minor revisions pass older consumers', () => {
    const result = validateAs(OrderReleasedV1, {
      ...samplePayload('plantbridge.production.order-released.v1'),
      priority: 3,
    });
    expect(result.ok).toBe(true);
  });

  it('refuses a non-object', () => {
    expect(validateAs(OrderReleasedV1, [1, 2])).toEqual({
      ok: false,
      errors: [{ field: '', messages: ['must be a JSON object'] }],
    });
  });
});

describe('decodeEvent', () => {
  const event = () =>
    createEvent(OrderReleasedV1Event, samplePayload('plantbridge.production.order-released.v1'), {
      plant: 'P100',
      source: '/plantbridge/P100/test',
    });

  it('decodes a valid event into its payload class', () => {
    const decoded = decodeEvent(JSON.stringify(event()));
    expect(decoded.ok && decoded.event.data).toBeInstanceOf(OrderReleasedV1);
  });

  it('names the reason: not JSON, bad envelope, unknown type, bad payload', () => {
    const reasons = [
      decodeEvent('{nope'),
      decodeEvent(JSON.stringify({ ...event(), id: 'not-a-uuid' })),
      decodeEvent(JSON.stringify({ ...event(), type: 'plantbridge.production.order-exploded.v1' })),
      decodeEvent(JSON.stringify({ ...event(), data: { ...event().data, plant: 'P 100' } })),
    ].map((d) => (d.ok ? 'ok' : d.reason));
    expect(reasons[0]).toMatch(/^body is not JSON/);
    expect(reasons[1]).toMatch(/^invalid envelope: id: id must be a UUID/);
    expect(reasons[2]).toBe('unknown event type "plantbridge.production.order-exploded.v1"');
    expect(reasons[3]).toMatch(/^invalid plantbridge.production.order-released.v1 payload: data.plant:/);
  });

  it('an event with a constructor key in its data is refused with a reason, not thrown on', () => {
    // class-transformer threw "Cannot read properties of undefined (reading 'constructor')", the
    // consumer could not settle the message, and it was redelivered for ever.
    const event = createEvent(OrderReleasedV1Event, samplePayload(OrderReleasedV1Event.type), {
      plant: 'P100',
      source: '/test',
    });
    const body = JSON.stringify(event).replace('"data":{', '"data":{"constructor":7,');
    const decoded = decodeEvent(body);
    expect(decoded).toMatchObject({
      ok: false,
      reason: expect.stringContaining('"constructor" is not allowed'),
    });
  });
});
