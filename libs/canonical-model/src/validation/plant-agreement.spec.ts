import { samplePayload } from '../../testing';
import { EVENT_DEFINITIONS } from '../catalog/event-catalog';
import { createEvent } from '../envelope/canonical-event';
import * as Production from '../production';
import { plantMismatch } from './plant-agreement';

describe('plantMismatch', () => {
  const subject = 'mfg.production.v1.P100.operation-confirmed';
  const event = (envelope: string, payload: string) =>
    createEvent(
      Production.OperationConfirmedV1Event,
      { ...samplePayload(Production.OperationConfirmedV1Event.type), plant: payload },
      { plant: envelope, source: '/test' },
    );

  it('accepts an event whose subject, envelope and payload name the same plant', () => {
    expect(plantMismatch(subject, event('P100', 'P100'))).toBeUndefined();
    expect(plantMismatch(subject, event('P100', 'P100'), 'P100')).toBeUndefined();
  });

  it('names the three plants when the envelope or the payload names another', () => {
    expect(plantMismatch(subject, event('P200', 'P100'))).toBe(
      'plant mismatch: subject plant "P100", envelope plantid "P200", payload plant "P100"',
    );
    expect(plantMismatch(subject, event('P100', 'P200'), 'P100')).toBe(
      'plant mismatch: subject plant "P100", envelope plantid "P100", payload plant "P200" (this consumer serves plant "P100")',
    );
  });

  it("refuses an event of another plant than the consumer's, even when all three agree", () => {
    expect(plantMismatch(subject, event('P100', 'P100'), 'P200')).toBe(
      'plant mismatch: subject plant "P100", envelope plantid "P100", payload plant "P100" (this consumer serves plant "P200")',
    );
  });

  it('checks subject and envelope alone for a payload without a plant', () => {
    expect(plantMismatch(subject, { plantid: 'P100', data: {} as never })).toBeUndefined();
    expect(plantMismatch(subject, { plantid: 'P200', data: {} as never })).toBe(
      'plant mismatch: subject plant "P100", envelope plantid "P200", payload names no plant',
    );
  });

  it('refuses a subject that is not a Plantbridge subject', () => {
    expect(plantMismatch('mfg.production.P100', event('P100', 'P100'))).toMatch(/^invalid subject/);
  });

  it('finds the plant of every payload in the catalog', () => {
    for (const definition of EVENT_DEFINITIONS) {
      const payload = samplePayload(definition.type) as { plant?: unknown };
      expect([definition.type, typeof payload.plant]).toEqual([definition.type, 'string']);
    }
  });
});
