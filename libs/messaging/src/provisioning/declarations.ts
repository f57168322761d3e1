import { CAPABILITIES } from '@plantbridge/canonical-model';
import { DLQ_STREAM, DLQ_SUBJECT_ROOT, streamNameFor, streamSubjectsFor } from '../naming/name-resolver';

/** What a stream must be; provisioning makes the server match it. Durations in milliseconds. */
export interface StreamDeclaration {
  name: string;
  subjects: string[];
  storage: 'file' | 'memory';
  /** The window in which a repeated `Nats-Msg-Id` is dropped. */
  duplicateWindowMs: number;
  maxAgeMs: number;
  maxBytes: number;
  replicas: number;
  description: string;
}

/** What a durable pull consumer must be. */
export interface ConsumerDeclaration {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  /** Messages handed out and not yet acknowledged, across all replicas of the service. */
  maxAckPending: number;
  description?: string;
}

export interface StreamDefaults {
  replicas: number;
  duplicateWindowMs: number;
  maxAgeMs: number;
  maxBytes: number;
}

const DAY = 24 * 60 * 60 * 1000;
export const DEFAULT_STREAM_SETTINGS: StreamDefaults = {
  replicas: 1,
  duplicateWindowMs: 10 * 60 * 1000,
  maxAgeMs: 7 * DAY,
  maxBytes: -1,
};

/**
 * Telemetry is a firehose for live consumers (dashboards, historians that keep up): kept for an
 * hour and at most 1 GiB, oldest dropped first, so it can never fill the disk business events need.
 */
const TELEMETRY_LIMITS = { maxAgeMs: 60 * 60 * 1000, maxBytes: 1024 ** 3 };

/** The capability streams and the dead-letter stream every Plantbridge deployment has. */
export function canonicalStreams(settings: StreamDefaults = DEFAULT_STREAM_SETTINGS): StreamDeclaration[] {
  const capabilityStreams = CAPABILITIES.map((capability) => ({
    name: streamNameFor(capability),
    subjects: streamSubjectsFor(capability),
    storage: 'file' as const,
    ...settings,
    ...(capability === 'telemetry' ? TELEMETRY_LIMITS : {}),
    description: `Plantbridge ${capability} events (mfg.${capability}.v<major>.<plant>.<event>)`,
  }));
  return [
    ...capabilityStreams,
    {
      name: DLQ_STREAM,
      subjects: [`${DLQ_SUBJECT_ROOT}.>`],
      storage: 'file',
      ...settings,
      maxAgeMs: 30 * DAY,
      description: 'Dead letters: messages a consumer gave up on, with the reason and original headers',
    },
  ];
}
