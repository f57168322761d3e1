import { readFileSync } from 'node:fs';
import { parseJsonDocument } from '@plantbridge/canonical-model';
import {
  type ConsumerDeclaration,
  durableNameFor,
  type ReaderGrant,
  streamForSubject,
} from '@plantbridge/messaging';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { SERVICE_MESSAGING } from './service-messaging';

/**
 * SaaS subscribers of a plant or an installation (a JSON file an integration architect writes):
 * each a NATS user of its own that reads, through durable consumers an administrator makes for it,
 * the subjects granted to it, and nothing else. `npm run provision -- --subscribers FILE` makes the
 * consumers; `PlantNatsUsers.addSubscribers` puts the users into the broker's configuration.
 *
 *   { "subscribers": [ { "name": "saas-analytics",
 *       "consumers": [ { "subject": "mfg.production.v1.P100.>" } ] } ] }
 */

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A NATS filter: dot-separated tokens, `*` for one token, `>` only last. */
const FILTER = /^[^\s.*>]+(\.([^\s.*>]+|\*))*(\.>)?$/;

export class SubscriberConsumer {
  /** The subjects it reads, e.g. `mfg.production.v1.P100.>` or `mfg.quality.v1.*.hold-placed`. */
  @Matches(FILTER, { message: 'subject must be a NATS subject filter such as mfg.production.v1.P100.>' })
  subject!: string;

  /** Its durable name, `<subscriber>--…`; default `<subscriber>--<subject tokens>`. */
  @IsOptional()
  @Matches(NAME, { message: 'durable must be 1 to 64 letters, digits, _ or -' })
  durable?: string;

  /** Seconds a pulled message may stay unacknowledged before it is delivered again. */
  @IsInt()
  @Min(1)
  @Max(3600)
  ackWaitSeconds = 30;

  /** Messages handed out and not yet acknowledged. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxAckPending = 1000;
}

export class Subscriber {
  /** Its NATS user name, also the prefix of its inbox. */
  @Matches(NAME, { message: 'name must be 1 to 64 letters, digits, _ or -' })
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => SubscriberConsumer)
  consumers!: SubscriberConsumer[];
}

export class SubscribersFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Subscriber)
  subscribers!: Subscriber[];
}

export type ParsedSubscribers = { ok: true; subscribers: Subscriber[] } | { ok: false; errors: string[] };

/** Parses and validates a subscribers document; every problem is reported with its path. */
export function parseSubscribers(text: string): ParsedSubscribers {
  const parsed = parseJsonDocument(SubscribersFile, text, {
    expected: 'the file must be a JSON object with "subscribers"',
  });
  if (!parsed.ok) return parsed;
  const errors = crossFieldErrors(parsed.value.subscribers);
  return errors.length ? { ok: false, errors } : { ok: true, subscribers: parsed.value.subscribers };
}

export function readSubscribersFile(path: string): Subscriber[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const parsed = parseSubscribers(text);
  if (!parsed.ok) throw new Error(`${path} is not valid:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.subscribers;
}

/** The durable consumers an administrator makes for a subscriber. */
export function subscriberConsumers(subscriber: Subscriber): ConsumerDeclaration[] {
  return subscriber.consumers.map((c) => ({
    stream: streamForSubject(c.subject),
    durable: c.durable ?? durableNameFor(subscriber.name, c.subject),
    filterSubject: c.subject,
    ackWaitMs: c.ackWaitSeconds * 1000,
    maxAckPending: c.maxAckPending,
    description: `SaaS subscriber ${subscriber.name}: ${c.subject}`,
  }));
}

/** What the subscriber's NATS user may do: pull and acknowledge through those consumers only. */
export function subscriberGrant(subscriber: Subscriber): ReaderGrant {
  return {
    user: subscriber.name,
    consumers: subscriberConsumers(subscriber).map(({ stream, durable }) => ({ stream, durable })),
  };
}

function crossFieldErrors(subscribers: Subscriber[]): string[] {
  const errors: string[] = [];
  const names = new Map<string, number>();
  const durables = new Map<string, string>();
  subscribers.forEach((subscriber, s) => {
    const at = `subscribers[${s}]`;
    if (names.has(subscriber.name))
      errors.push(`${at}.name: "${subscriber.name}" is used by subscribers[${names.get(subscriber.name)}]`);
    names.set(subscriber.name, s);
    // Services' users are `<service>-<plant>` and their durables `<service>--…`: a subscriber named
    // like one could be granted a service's own consumer and take its messages.
    const reserved = ['admin', ...Object.keys(SERVICE_MESSAGING)].find(
      (r) => subscriber.name === r || subscriber.name.startsWith(`${r}-`),
    );
    if (reserved)
      errors.push(`${at}.name: "${subscriber.name}" is reserved for Plantbridge's own ${reserved} users`);
    subscriber.consumers.forEach((consumer, c) => {
      const consumerAt = `${at}.consumers[${c}]`;
      let stream: string;
      try {
        // Only the capability streams: dead letters carry other services' failed messages.
        stream = streamForSubject(consumer.subject);
      } catch {
        errors.push(`${consumerAt}.subject: ${consumer.subject} is not under mfg.<capability>.`);
        return;
      }
      const durable = consumer.durable ?? durableNameFor(subscriber.name, consumer.subject);
      // The durable is what the subscriber's user is granted: under its own name only, so it can
      // never be a service's consumer (`<service>--…`) or another subscriber's.
      if (!durable.startsWith(`${subscriber.name}--`))
        errors.push(`${consumerAt}.durable: must start with "${subscriber.name}--" (got "${durable}")`);
      // A durable name is the subscriber's grant: two subscribers sharing one would read each other's.
      const key = `${stream}/${durable}`;
      if (durables.has(key)) errors.push(`${consumerAt}.durable: ${key} is also ${durables.get(key)}`);
      durables.set(key, consumerAt);
    });
  });
  return errors;
}
