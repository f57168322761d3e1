import { durableNameFor, narrowToPlant, streamForSubject } from './name-resolver';

describe('name resolver', () => {
  it('narrows an all-plants filter to one plant, and leaves a filter that names a plant alone', () => {
    expect(narrowToPlant('mfg.production.v1.*.operation-confirmed', 'P100')).toBe(
      'mfg.production.v1.P100.operation-confirmed',
    );
    expect(narrowToPlant('mfg.production.v1.P200.operation-confirmed', 'P100')).toBe(
      'mfg.production.v1.P200.operation-confirmed',
    );
  });

  it('gives each plant of a service a durable of its own', () => {
    const p100 = durableNameFor('production-order-sync', 'mfg.production.v1.P100.operation-confirmed');
    const p200 = durableNameFor('production-order-sync', 'mfg.production.v1.P200.operation-confirmed');
    expect(p100).toBe('production-order-sync--production-v1-P100-operation-confirmed');
    expect(p100).not.toBe(p200);
    expect(streamForSubject('mfg.production.v1.P100.operation-confirmed')).toBe('PRODUCTION');
  });
});
