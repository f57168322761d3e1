import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import type { ConsumerDeclaration, StreamDeclaration } from './declarations';

export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

export type ProvisioningResult = 'created' | 'updated' | 'unchanged';

/** One field whose declared value differs from the server's. */
interface Difference {
  field: string;
  current: unknown;
  declared: unknown;
}

export function streamConfigFor(d: StreamDeclaration): Partial<StreamConfig> {
  return {
    name: d.name,
    subjects: d.subjects,
    description: d.description,
    storage: d.storage === 'file' ? StorageType.File : StorageType.Memory,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(d.duplicateWindowMs),
    max_age: nanos(d.maxAgeMs),
    max_bytes: d.maxBytes,
    num_replicas: d.replicas,
  };
}

export function consumerConfigFor(d: ConsumerDeclaration): Partial<ConsumerConfig> {
  return {
    durable_name: d.durable,
    description: d.description,
    filter_subject: d.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(d.ackWaitMs),
    max_ack_pending: d.maxAckPending,
    // Unlimited on the server: the settlement step dead-letters after the configured deliveries, so a
    // message is never dropped silently by the server's own limit.
    max_deliver: -1,
  };
}

// Fields the server cannot change in place. Changing them means a new stream or consumer, which
// would lose data or position: we refuse and say so rather than delete anything.
const IMMUTABLE_STREAM_FIELDS = ['storage', 'retention'] as const;
const MUTABLE_STREAM_FIELDS = [
  'subjects',
  'description',
  'duplicate_window',
  'max_age',
  'max_bytes',
  'num_replicas',
  'discard',
] as const;
const IMMUTABLE_CONSUMER_FIELDS = [
  'filter_subject',
  'ack_policy',
  'deliver_policy',
  'replay_policy',
] as const;
const MUTABLE_CONSUMER_FIELDS = ['description', 'ack_wait', 'max_ack_pending', 'max_deliver'] as const;

function differences<T extends object>(
  current: T,
  declared: Partial<T>,
  fields: readonly (keyof T)[],
): Difference[] {
  return fields
    .filter(
      (f) => declared[f] !== undefined && JSON.stringify(current[f] ?? null) !== JSON.stringify(declared[f]),
    )
    .map((f) => ({ field: String(f), current: current[f], declared: declared[f] }));
}

function describe(diffs: Difference[]): string {
  return diffs
    .map((d) => `${d.field} is ${JSON.stringify(d.current)}, declared ${JSON.stringify(d.declared)}`)
    .join('; ');
}

/** The mutable differences between server and declaration; throws if an immutable field differs. */
function planChange<T extends object>(
  what: string,
  current: T,
  declared: Partial<T>,
  fields: { immutable: readonly (keyof T)[]; mutable: readonly (keyof T)[] },
  advice: string,
): Difference[] {
  const incompatible = differences(current, declared, fields.immutable);
  if (incompatible.length) {
    throw new ProvisioningError(`${what} cannot be changed in place: ${describe(incompatible)}. ${advice}`);
  }
  return differences(current, declared, fields.mutable);
}

export function planStreamChange(current: StreamConfig, declared: Partial<StreamConfig>): Difference[] {
  const fields = { immutable: IMMUTABLE_STREAM_FIELDS, mutable: MUTABLE_STREAM_FIELDS };
  const advice = 'Migrate its data to a new stream deliberately; Plantbridge never deletes a stream.';
  return planChange(`stream ${current.name}`, current, declared, fields, advice);
}

export function planConsumerChange(current: ConsumerConfig, declared: Partial<ConsumerConfig>): Difference[] {
  const fields = { immutable: IMMUTABLE_CONSUMER_FIELDS, mutable: MUTABLE_CONSUMER_FIELDS };
  const advice =
    'Declare a consumer with a new durable name (it starts from the stream head) and remove the old one when it is drained.';
  return planChange(`consumer ${current.durable_name}`, current, declared, fields, advice);
}

const isNotFound = (error: unknown): boolean => /not found/i.test((error as Error)?.message ?? '');

/** Idempotent: creates the stream, applies compatible changes, refuses incompatible ones. */
export async function ensureStream(
  jsm: JetStreamManager,
  declaration: StreamDeclaration,
): Promise<ProvisioningResult> {
  const declared = streamConfigFor(declaration);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(declaration.name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(declared);
    return 'created';
  }
  const changes = planStreamChange(info.config, declared);
  if (!changes.length) return 'unchanged';
  await jsm.streams.update(declaration.name, { ...info.config, ...declared });
  return 'updated';
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  declaration: ConsumerDeclaration,
): Promise<ProvisioningResult> {
  const declared = consumerConfigFor(declaration);
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(declaration.stream, declaration.durable);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(declaration.stream, declared);
    return 'created';
  }
  const changes = planConsumerChange(info.config, declared);
  if (!changes.length) return 'unchanged';
  await jsm.consumers.update(declaration.stream, declaration.durable, { ...declared });
  return 'updated';
}
