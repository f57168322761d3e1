/** Which of a value's two timestamps says when it changed, per endpoint (the mapping's `timestamps`). */
export type TimestampChoice = 'source' | 'server';

export type TimestampProblem = 'missing-source' | 'implausible-source';

export interface SampleTime {
  /** When the value changed, as well as this endpoint can tell. */
  time: Date;
  sourceTimestamp: Date;
  serverTimestamp: Date;
  /** false: `time` is when the server reported the value, not when it changed. */
  exact: boolean;
  problem?: TimestampProblem;
}

/**
 * Chooses a sample's time. A PLC that stamps its values (`source`, the default) is believed unless
 * its source timestamp is missing or implausible: ahead of the server's clock by more than
 * `maxSkewMs`, or, for a change (not the first value after subscribing, which may be old), that far
 * behind it. Then the server's timestamp stands in and the problem is reported. With `server` the
 * server's timestamp is used throughout: right for PLCs without clocks, whose server stamps values
 * as it reads them. The first value after a (re)subscribe is then only when it was read, not when
 * it changed (`exact` false): durations across that moment are not known.
 */
export function sampleTime(
  timestamps: { source: Date | null; server: Date | null },
  choice: TimestampChoice,
  options: { initial: boolean; maxSkewMs: number; now: Date },
): SampleTime {
  const server = timestamps.server ?? options.now;
  const source = timestamps.source;
  if (choice === 'server') {
    return {
      time: server,
      sourceTimestamp: source ?? server,
      serverTimestamp: server,
      exact: !options.initial,
    };
  }
  if (!source) return fallback(server, options.initial, 'missing-source');
  const ahead = source.getTime() - server.getTime() > options.maxSkewMs;
  // The first value after subscribing may be old: it is the current value, not a change.
  const behind = !options.initial && server.getTime() - source.getTime() > options.maxSkewMs;
  if (ahead || behind) return fallback(server, options.initial, 'implausible-source');
  return { time: source, sourceTimestamp: source, serverTimestamp: server, exact: true };
}

function fallback(server: Date, initial: boolean, problem: TimestampProblem): SampleTime {
  return { time: server, sourceTimestamp: server, serverTimestamp: server, exact: !initial, problem };
}
