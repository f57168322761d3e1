import { type CanonicalEvent, validateEvent } from '@plantbridge/canonical-model';
import fc from 'fast-check';
import type { ConditionEvent } from '../opcua/condition-events';
import { alarmIdOf, type ConditionState, ConditionTracker } from './condition-tracker';

const CONDITION = 'ns=1;s=Line1.M01.Alarm';
const T0 = new Date('2026-11-26T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let nextId = 0;

/** A condition event of the current branch, with a fresh EventId unless one is given. */
function event(fields: Partial<ConditionEvent>): ConditionEvent {
  return {
    eventId: `e${++nextId}`,
    conditionId: CONDITION,
    conditionName: 'M01.Alarm',
    branchId: null,
    sourceNode: 'ns=1;s=Line1.M01',
    sourceName: 'M01',
    time: T0,
    receiveTime: T0,
    message: 'Spindle over temperature',
    severity: 800,
    retain: true,
    active: true,
    activeSince: T0,
    acked: false,
    suppressedOrShelved: false,
    ...fields,
  };
}

const tracker = (persisted: ConditionState[] = []) =>
  new ConditionTracker('line1', 'P100', '/plantbridge/P100/edge-gateway', () => undefined, persisted);

/** The published events as `type episodeId`, the way maintenance routing would match them. */
const summary = (events: CanonicalEvent[]) =>
  events.map((e) => `${e.type.split('.')[2]} ${(e.data as { episodeId: string }).episodeId}`);
const episode = (since: Date) => `${CONDITION}@${since.toISOString()}`;

/** Feeds events into a tracker as the endpoint would; returns what it published. */
function feed(t: ConditionTracker, ...events: ConditionEvent[]): CanonicalEvent[] {
  return events.flatMap((e) => t.observe(e, 'P100-L1-M01').events);
}

/** A ConditionRefresh of the Server object showing these events. */
function refresh(t: ConditionTracker, shown: ConditionEvent[], end = at(60)): CanonicalEvent[] {
  t.refreshStarted();
  return [...feed(t, ...shown), ...t.refreshEnded(end)];
}

describe('ConditionTracker: OPC UA condition events to alarm events', () => {
  it('publishes a repeated EventId once, with the condition, the episode, source and equipment', () => {
    const t = tracker();
    const raised = event({ severity: 0 });
    const published = feed(t, raised, raised, { ...raised }); // e.g. through two notifiers
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'plantbridge.equipment.alarm-raised.v1',
      subject: 'P100-L1-M01',
      data: {
        equipmentId: 'P100-L1-M01',
        alarmId: CONDITION,
        conditionId: CONDITION,
        activeSince: T0.toISOString(),
        episodeId: episode(T0),
        sourceNode: 'ns=1;s=Line1.M01',
        sourceName: 'M01',
        severity: 1, // OPC UA allows 0; the canonical range is 1–1000
        message: 'Spindle over temperature',
        suppressedOrShelved: false,
      },
    });
    expect(validateEvent(JSON.parse(JSON.stringify(published[0]))).ok).toBe(true);
  });

  it('publishes an event once that a second notifier delivers after a newer one', () => {
    const t = tracker();
    const raised = event({});
    const cleared = event({ active: false, activeSince: at(10), time: at(10) });
    // The Server object's item, then the machine's: the same two events, in one publish response.
    expect(summary(feed(t, raised, cleared, raised, cleared))).toEqual([
      `alarm-raised ${episode(T0)}`,
      `alarm-cleared ${episode(T0)}`,
    ]);
  });

  it('tolerates the repeated states of a ConditionRefresh, on the same session and after a server restart', () => {
    const t = tracker();
    const raised = event({});
    const acked = event({ acked: true, time: at(5) });
    expect(summary(feed(t, raised, acked))).toEqual([
      `alarm-raised ${episode(T0)}`,
      `alarm-acknowledged ${episode(T0)}`,
    ]);
    expect(refresh(t, [acked])).toEqual([]); // the last EventId again
    // A restarted server shows the same episode (same activation time) under a new EventId.
    expect(refresh(t, [event({ acked: true, time: at(5) })])).toEqual([]);
  });

  it('after a gateway restart, does not raise an alarm still active in the episode it committed', () => {
    const before = tracker();
    const raised = event({});
    feed(before, raised);
    const after = tracker([...before.takeChanges().values()]);
    expect(refresh(after, [raised])).toEqual([]);
    expect(refresh(after, [event({ time: at(30) })])).toEqual([]);
  });

  it('clears the committed episode when the refresh after a restart shows the condition inactive', () => {
    const before = tracker();
    feed(before, event({}));
    const after = tracker([...before.takeChanges().values()]);
    const cleared = event({ active: false, activeSince: at(40), time: at(40), message: 'Back to normal' });
    const published = refresh(after, [cleared]);
    expect(summary(published)).toEqual([`alarm-cleared ${episode(T0)}`]);
    expect(published[0].data).toMatchObject({
      sourceTimestamp: at(40).toISOString(),
      message: 'Back to normal',
    });
    // Acknowledged later: the same episode.
    expect(summary(feed(after, event({ active: false, acked: true, activeSince: at(40) })))).toEqual([
      `alarm-acknowledged ${episode(T0)}`,
    ]);
  });

  it('clears an active condition a complete refresh does not show (no longer retained), at its end', () => {
    const before = tracker();
    feed(before, event({}));
    const after = tracker([...before.takeChanges().values()]);
    after.sessionStarted();
    expect(after.refreshEnded(at(60))).toEqual([]); // no refresh started on this session: nothing known
    const published = refresh(after, [], at(61));
    expect(summary(published)).toEqual([`alarm-cleared ${episode(T0)}`]);
    expect(published[0].data).toMatchObject({ sourceTimestamp: at(61).toISOString() });
    expect(refresh(after, [], at(62))).toEqual([]);
  });

  it('starts a new episode when the condition became active again, and ends one it did not see end', () => {
    const t = tracker();
    feed(t, event({}));
    expect(summary(feed(t, event({ active: false, activeSince: at(10), time: at(10) })))).toEqual([
      `alarm-cleared ${episode(T0)}`,
    ]);
    expect(summary(feed(t, event({ activeSince: at(20), time: at(20) })))).toEqual([
      `alarm-raised ${episode(at(20))}`,
    ]);
    // Cleared and raised again while the gateway was away: both are published, in that order.
    expect(summary(refresh(t, [event({ activeSince: at(30), time: at(30) })]))).toEqual([
      `alarm-cleared ${episode(at(20))}`,
      `alarm-raised ${episode(at(30))}`,
    ]);
  });

  it('keeps the episode of a server that does not send the activation time', () => {
    const t = tracker();
    feed(t, event({ activeSince: null, time: at(1) }));
    expect(feed(t, event({ activeSince: null, time: at(9), severity: 900 }))).toEqual([]);
    expect(summary(feed(t, event({ activeSince: null, active: false, time: at(12) })))).toEqual([
      `alarm-cleared ${episode(at(1))}`,
    ]);
  });

  it('marks a suppressed or shelved condition, ignores branches, and skips an unmapped source once per event', () => {
    const t = tracker();
    expect(feed(t, event({ branchId: 'ns=1;i=99' }))).toEqual([]);
    const [raised] = feed(t, event({ suppressedOrShelved: true }));
    expect(raised.data).toMatchObject({ suppressedOrShelved: true });
    const unmapped = event({ conditionId: 'ns=1;s=Other.Alarm' });
    expect(t.observe(unmapped, undefined)).toEqual({ events: [], skipped: 'unmapped-source' });
    expect(t.observe(unmapped, undefined)).toEqual({ events: [] });
  });

  it('names a condition with a long node id by a 64-character alarm id', () => {
    const long = `ns=2;s=${'Plant.Area.Line.Machine.'.repeat(5)}Alarm`;
    expect(alarmIdOf(long)).toHaveLength(64);
    expect(alarmIdOf(long)).not.toBe(alarmIdOf(`${long}2`));
    expect(alarmIdOf(CONDITION)).toBe(CONDITION);
  });

  it('keeps the states it changed until they are committed, and takes a failed commit back', () => {
    const t = tracker();
    feed(t, event({}));
    const changes = t.takeChanges();
    expect([...changes.values()]).toEqual([
      expect.objectContaining({ conditionId: CONDITION, active: true, activeSince: T0.toISOString() }),
    ]);
    expect(t.takeChanges().size).toBe(0);
    t.restoreChanges(changes);
    expect(t.takeChanges().size).toBe(1);
  });

  describe('property: duplicates and refreshes change nothing', () => {
    type Step = 'raise' | 'clear' | 'ack';
    /** A condition driven through steps; each state it shows is one event (a new EventId). */
    function eventsOf(steps: Step[]): ConditionEvent[] {
      let active = false;
      let acked = true;
      let since = T0;
      return steps.map((step, i) => {
        const time = at(i + 1);
        if (step === 'raise' && !active) [active, acked, since] = [true, false, time];
        if (step === 'clear' && active) [active, since] = [false, time];
        if (step === 'ack') acked = true;
        return event({ active, acked, activeSince: since, time, retain: active || !acked });
      });
    }

    it('publishes what one delivery of each event publishes, whatever is repeated and refreshed', () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom<Step>('raise', 'clear', 'ack'), { maxLength: 30 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
          (steps, repeats) => {
            const events = eventsOf(steps);
            const once = summary(feed(tracker(), ...events));
            const t = tracker();
            const committed = new Map<string, ConditionState>();
            const published: CanonicalEvent[] = [];
            events.forEach((e, i) => {
              published.push(...feed(t, e));
              const r = repeats[i] ?? 0;
              // A refresh shows the condition while it is retained, else not at all.
              const shown = e.retain ? [e] : [];
              if (r === 1) published.push(...feed(t, e)); // through a second notifier
              if (r === 1 && i > 0) published.push(...feed(t, events[i - 1])); // …after a newer one
              if (r >= 2) published.push(...refresh(t, shown, e.time));
              if (r === 3) {
                // A gateway restart with what was committed, then its refresh.
                for (const [id, state] of t.takeChanges()) committed.set(id, state);
                published.push(...refresh(tracker([...committed.values()]), shown, e.time));
              }
            });
            expect(summary(published)).toEqual(once);
            // And what one delivery publishes alternates: raised, (acknowledged,) cleared, raised, …
            const edges = once.map((line) => line.split(' ')[0]).filter((t) => t !== 'alarm-acknowledged');
            edges.forEach((edge, i) => expect(edge).toBe(i % 2 === 0 ? 'alarm-raised' : 'alarm-cleared'));
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
