import { StateTracker } from '../normalization/state-tracker';
import { sampleTime } from './sample-time';

const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 8, 0, s));
const options = (initial = false) => ({ initial, maxSkewMs: 60_000, now: at(100) });

describe('sample times', () => {
  it('believes a plausible source timestamp', () => {
    expect(sampleTime({ source: at(1), server: at(2) }, 'source', options())).toEqual({
      time: at(1),
      sourceTimestamp: at(1),
      serverTimestamp: at(2),
      exact: true,
    });
  });

  it('reports a missing or implausible source timestamp and uses the server one', () => {
    expect(sampleTime({ source: null, server: at(2) }, 'source', options())).toMatchObject({
      time: at(2),
      problem: 'missing-source',
    });
    // A PLC clock two minutes ahead, or a change stamped long ago.
    expect(sampleTime({ source: at(122), server: at(2) }, 'source', options())).toMatchObject({
      time: at(2),
      problem: 'implausible-source',
    });
    expect(sampleTime({ source: new Date(0), server: at(2) }, 'source', options())).toMatchObject({
      problem: 'implausible-source',
    });
    // The first value after subscribing may be old: it is the value, not a change.
    expect(sampleTime({ source: new Date(0), server: at(2) }, 'source', options(true))).toMatchObject({
      time: new Date(0),
      exact: true,
    });
  });

  it('server-stamped times: a stop is measured from its start through a reconnect, and a change seen only after one has no invented duration', () => {
    const tracker = new StateTracker();
    const observe = (state: 'Executing' | 'NotExecuting', s: number, initial = false) => {
      const time = sampleTime({ source: at(s), server: at(s) }, 'server', options(initial));
      return tracker.observe(state, time.time, time.exact);
    };
    observe('Executing', 0, true);
    expect(observe('NotExecuting', 10)).toMatchObject({ previousStateDurationMs: 10_000 });
    // Reconnect at 14: the server stamps the unchanged value with the time it read it.
    expect(observe('NotExecuting', 14, true)).toBeNull();
    expect(observe('Executing', 15)).toMatchObject({ previousStateDurationMs: 5_000 });
    // A stop that began while the gateway was away is seen at the next reconnect (at 40): when it
    // began is not known, so its predecessor's duration is not reported.
    expect(observe('NotExecuting', 40, true)).toEqual({ state: 'NotExecuting', previousState: 'Executing' });
  });
});
