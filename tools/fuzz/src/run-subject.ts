import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { HEADER, type JetStreamConnection } from '@plantbridge/messaging';
import { readStream } from '@plantbridge/messaging/testing';
import fc from 'fast-check';
import type { EventInput } from './event-input';
import { type EventContext, hostileEvents, landmarks } from './hostile-events';
import type { Breach } from './http-invariants';
import type { PlantUnderFuzz } from './plant-under-fuzz';
import { until } from './until';
import { sampled, seedFor, Tally } from './run-route';
import { consumerOf, type SubjectSpec } from './subjects';

export interface SubjectRow {
  subject: string;
  inputs: number;
  /** Stored by the stream. */
  published: number;
  /** Refused by the broker at publish: above max_payload. */
  refusedAtPublish: number;
  /** Settled by the consumer without a dead letter. */
  processed: number;
  deadLettered: number;
  /** Still pending or unacknowledged when the consumer stopped making progress. */
  undelivered: number;
  expected: Record<string, number>;
  breaches: Record<string, number>;
  examples: Array<Breach & { input: string; body: string }>;
  seconds: number;
  /** Stream sequences of what this run published, to tell its dead letters from the service's own. */
  sequences: number[];
}

export interface SettleOptions {
  /** Give up waiting once the consumer's state has not changed for this long (a stuck message). */
  quietMs: number;
  timeoutMs: number;
}

/** Waits until the durable has nothing pending or unacknowledged, or stops changing; returns what is left. */
export async function settle(
  connection: JetStreamConnection,
  stream: string,
  durable: string,
  options: SettleOptions,
) {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const info = await connection.manager().consumers.info(stream, durable);
    const left = { pending: info.num_pending, ackPending: info.num_ack_pending };
    const state = `${left.pending}/${left.ackPending}/${info.ack_floor.stream_seq}`;
    if (state !== last) [last, since] = [state, Date.now()];
    if (left.pending + left.ackPending === 0 || Date.now() - since > options.quietMs || Date.now() > deadline)
      return left;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The dead letters of a consumer: original stream sequence to reason. */
export async function deadLetters(connection: JetStreamConnection, stream: string, durable: string) {
  const letters = await readStream(connection, 'DLQ', `dlq.${stream}.${durable}`);
  return new Map(
    letters.map((l) => [
      Number(l.headers[HEADER.originalSequence]),
      { reason: l.headers[HEADER.deadLetterReason] ?? '', subject: l.headers[HEADER.originalSubject] ?? '' },
    ]),
  );
}

const preview = (data: Buffer) => data.subarray(0, 160).toString('utf8');

/** Publishes `runs` hostile events on `spec`'s subject (64 at a time), lets the consumer settle, and checks every outcome. */
export async function runSubject(
  plant: PlantUnderFuzz,
  spec: SubjectSpec,
  runs: number,
  seed: number,
  settling: SettleOptions,
): Promise<SubjectRow> {
  const started = performance.now();
  const { subject, stream, durable } = consumerOf(spec, plant.plant);
  const good = spec.good(plant.events);
  const ctx: EventContext = {
    plant: plant.plant,
    otherPlant: plant.otherPlant,
    subject,
    definition: spec.definition,
    fields: spec.fields,
    good,
    maxPayload: plant.maxPayload,
  };
  const ownSeed = seedFor(seed, spec.name);
  const fixed = landmarks(ctx, fc.sample(good, { seed: ownSeed, numRuns: 1 })[0]);
  const inputs = [
    fixed[Symbol.iterator](),
    sampled(hostileEvents(ctx), ownSeed, Math.max(0, runs - fixed.length)),
  ];
  const tally = new Tally<Breach & { input: string; body: string }>();
  const expected: Record<string, number> = {};
  const stored = new Map<number, EventInput>();
  const goodEvents: CanonicalEvent[] = [];
  const interleaved: string[] = [];
  let count = 0;
  let refusedAtPublish = 0;

  const publish = async (input: EventInput, i: number) => {
    expected[input.expect] = (expected[input.expect] ?? 0) + 1;
    try {
      const receipt = await plant.publisher.publishRaw({
        subject: input.subject,
        data: input.data,
        msgId: `${plant.plant}-${spec.name}-${i}`,
        headers: input.headers,
      });
      stored.set(receipt.seq, input);
      if (input.event && input.expect === 'good') goodEvents.push(input.event);
    } catch (error) {
      if (input.expect === 'too-large') refusedAtPublish++;
      else
        tally.add({
          rule: 'publish refused',
          detail: (error as Error).message,
          input: input.label,
          body: preview(input.data),
        });
    }
    if (i % 10 === 9 && spec.interleave) {
      const id = await spec.interleave(plant.events).catch(() => undefined);
      if (id) interleaved.push(id);
    }
  };
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (const source of inputs)
        for (let next = source.next(); !next.done; next = source.next()) await publish(next.value, count++);
    }),
  );

  const left = await settle(plant.connection, stream, durable, settling);
  const letters = await deadLetters(plant.connection, stream, durable);
  let deadLettered = 0;
  for (const [seq, input] of stored) {
    const letter = letters.get(seq);
    if (letter) deadLettered++;
    const breach = judgeOutcome(input, letter?.reason, left.pending + left.ackPending > 0);
    if (breach) tally.add({ ...breach, input: input.label, body: preview(input.data) });
  }
  const undelivered = left.pending + left.ackPending;
  const log = plant.services[spec.service].text();
  for (const [seq, { rule, reason }] of unsettled(log, stream, durable, undelivered > 0)) {
    const input = stored.get(seq);
    if (input) tally.add({ rule, detail: reason, input: input.label, body: preview(input.data) });
  }
  if (undelivered > 0)
    tally.add({
      rule: 'messages left undelivered',
      detail: `${left.pending} pending, ${left.ackPending} unacknowledged on ${durable}`,
      input: '',
      body: '',
    });

  // Effects trail the acks (a count's confirmation still has to reach ERP): retried for a while.
  const effects = await verifyEventually(() => spec.verify(plant.events, goodEvents, interleaved));
  for (const breach of effects) tally.add({ ...breach, input: 'valid', body: '' });
  return {
    subject: spec.name,
    inputs: count,
    published: stored.size,
    refusedAtPublish,
    processed: Math.max(0, stored.size - deadLettered - undelivered),
    deadLettered,
    undelivered,
    expected,
    breaches: tally.counts,
    examples: tally.examples,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    sequences: [...stored.keys()],
  };
}

/**
 * Which messages the consumer did not settle, and why, from its log: JetStream says how many are
 * unacknowledged, not which. `could not settle EQUIPMENT#7961: …` is a message settlement itself
 * failed on (redelivered for ever); while some are left, `retrying PRODUCTION#366925 (…, delivery 3)
 * in … ms: …` is one whose "transient" error came back on every delivery. Diagnostics only.
 */
/** The rest of a JSON log line's string, escaped quotes included. */
const JSON_TEXT = '((?:[^"\\\\]|\\\\.)*)';

function unsettled(log: string, stream: string, durable: string, anyLeft: boolean) {
  const found = new Map<number, { rule: string; reason: string }>();
  for (const m of log.matchAll(new RegExp(`could not settle ${stream}#(\\d+): ${JSON_TEXT}`, 'g')))
    found.set(Number(m[1]), { rule: 'event could not be settled (redelivered for ever)', reason: m[2] });
  if (!anyLeft) return found;
  const retried = new RegExp(
    `${durable}: retrying ${stream}#(\\d+) \\([^)]*delivery (\\d+)\\) in \\d+ ms: ${JSON_TEXT}`,
    'g',
  );
  for (const m of log.matchAll(retried)) {
    if (Number(m[2]) >= 3)
      found.set(Number(m[1]), {
        rule: 'event failed on every delivery (retried, never settled)',
        reason: m[3],
      });
  }
  return found;
}

/** Every bad event is in the DLQ with its reason; no valid one is. */
function judgeOutcome(
  input: EventInput,
  reason: string | undefined,
  consumerStuck: boolean,
): Breach | undefined {
  if (reason !== undefined && reason.trim() === '')
    return { rule: 'dead letter without a reason', detail: '' };
  if (input.expect === 'good' && reason !== undefined)
    return { rule: 'valid event dead-lettered', detail: reason.slice(0, 300) };
  if (input.expect === 'dead-letter' && reason === undefined) {
    const detail = consumerStuck
      ? 'not in the DLQ (processed, or stuck: the consumer did not settle)'
      : 'processed (acknowledged) instead';
    return { rule: 'bad event not dead-lettered', detail };
  }
  return undefined;
}

async function verifyEventually(verify: () => Promise<Breach[]>, timeoutMs = 30_000): Promise<Breach[]> {
  let breaches: Breach[] = [];
  await until('effects', async () => (breaches = await verify()).length === 0, timeoutMs).catch(
    () => undefined,
  );
  return breaches;
}
