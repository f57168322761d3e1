import {
  type Capability,
  capabilitySubjects,
  isCapability,
  SUBJECT_ROOT,
} from '@plantbridge/canonical-model';

/**
 * The one place that names JetStream things: streams, dead-letter subjects and durable consumers.
 * Everything else asks here, so a naming rule changes in one file.
 */
export const DLQ_STREAM = 'DLQ';
export const DLQ_SUBJECT_ROOT = 'dlq';

export function streamNameFor(capability: Capability): string {
  return capability.toUpperCase();
}

export function streamSubjectsFor(capability: Capability): string[] {
  return [capabilitySubjects(capability)];
}

/** The stream that stores a subject or a filter such as `mfg.production.v1.*.operation-confirmed`. */
export function streamForSubject(subject: string): string {
  const [root, capability = ''] = subject.split('.');
  if (root !== SUBJECT_ROOT || !isCapability(capability))
    throw new Error(`subject "${subject}" belongs to no Plantbridge stream`);
  return streamNameFor(capability);
}

/** `dlq.<stream>.<durable>`: one dead-letter subject per consumer, so an operator can filter by it. */
export function deadLetterSubject(stream: string, durable: string): string {
  return `${DLQ_SUBJECT_ROOT}.${stream}.${durable}`;
}

/**
 * A durable name from the service and the filter it consumes:
 * `production-order-sync` + `mfg.production.v1.*.operation-confirmed` -> `production-order-sync--production-v1-all-operation-confirmed`.
 */
export function durableNameFor(service: string, filterSubject: string): string {
  const tokens = filterSubject
    .split('.')
    .slice(1)
    .map((t) => (t === '*' ? 'all' : t === '>' ? 'rest' : t));
  const name = `${service}--${tokens.join('-')}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length > 200) throw new Error(`durable name for ${filterSubject} is too long; name it explicitly`);
  return name;
}

/**
 * `mfg.production.v1.*.operation-confirmed` narrowed to one plant's subjects (and so to a durable of
 * its own): a service deployed per plant consumes only that plant's events.
 */
export function narrowToPlant(filterSubject: string, plant: string): string {
  const tokens = filterSubject.split('.');
  if (tokens[3] === '*') tokens[3] = plant;
  return tokens.join('.');
}
