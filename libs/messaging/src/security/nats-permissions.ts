import { type Capability, capabilitySubjects } from '@plantbridge/canonical-model';
import { deadLetterSubject, durableNameFor, narrowToPlant, streamForSubject } from '../naming/name-resolver';

/** What a NATS user may publish and subscribe to (nats-server's `permissions`). */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/** A service deployed for one plant, as NATS sees it. */
export interface ServiceGrant {
  service: string;
  plant: string;
  /** The capabilities whose events it publishes (its own): `production` for production-order-sync. */
  publishes: Capability[];
  /** The filters it consumes, as its handlers declare them: `mfg.production.v1.*.operation-confirmed`. */
  consumes: string[];
}

/** A SaaS application reading, through durable consumers an administrator made for it, some plants' events. */
export interface ReaderGrant {
  user: string;
  /** Its consumers: the stream and durable name of each. */
  consumers: Array<{ stream: string; durable: string }>;
}

/**
 * The inbox prefix of a NATS user: replies (publish acknowledgements, pulled messages) come to
 * subjects under it, and only that user may subscribe there, so nobody reads another's deliveries.
 */
export function inboxPrefixFor(user: string): string {
  return `_INBOX_${user.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The NATS user of a service in a plant: `production-order-sync-P100`. */
export function natsUserFor(service: string, plant: string): string {
  return `${service}-${plant}`;
}

/**
 * Least privilege for a service: it publishes only its own capabilities' events of its own plant
 * and the dead letters of its own consumers, pulls and acknowledges only through its own durable
 * consumers (which it may create, on its plant's subjects only), reads the streams' info (to check
 * they exist), and subscribes only to its own inbox. It cannot create, change or delete streams:
 * that is provisioning's, with an administrator's rights.
 */
export function servicePermissions(grant: ServiceGrant): NatsPermissions {
  const user = natsUserFor(grant.service, grant.plant);
  const consumers = grant.consumes.map((filter) => {
    const narrowed = narrowToPlant(filter, grant.plant);
    return {
      stream: streamForSubject(narrowed),
      durable: durableNameFor(grant.service, narrowed),
      filter: narrowed,
    };
  });
  return {
    publish: {
      allow: unique([
        ...grant.publishes.map((c) =>
          narrowToPlant(capabilitySubjects(c).replace('.>', '.*.*.>'), grant.plant),
        ),
        ...consumers.flatMap((c) => [
          deadLetterSubject(c.stream, c.durable),
          // With its filter in the subject, which the server checks against the request's body:
          // the forms without it would let a service point its durable at another plant's events.
          `$JS.API.CONSUMER.CREATE.${c.stream}.${c.durable}.${c.filter}`,
          `$JS.API.CONSUMER.INFO.${c.stream}.${c.durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`,
          `$JS.ACK.${c.stream}.${c.durable}.>`,
        ]),
        '$JS.API.INFO',
        // Stream info only: a service checks its streams exist (and the counts it shows are no secret).
        '$JS.API.STREAM.INFO.*',
      ]),
    },
    subscribe: { allow: [`${inboxPrefixFor(user)}.>`] },
  };
}

/**
 * A SaaS reader: pulls and acknowledges through its own consumers only (made for it, with their
 * filters, by an administrator), and publishes nothing else.
 */
export function readerPermissions(grant: ReaderGrant): NatsPermissions {
  return {
    publish: {
      allow: unique([
        '$JS.API.INFO',
        ...grant.consumers.flatMap((c) => [
          `$JS.API.CONSUMER.INFO.${c.stream}.${c.durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`,
          `$JS.ACK.${c.stream}.${c.durable}.>`,
        ]),
      ]),
    },
    subscribe: { allow: [`${inboxPrefixFor(grant.user)}.>`] },
  };
}

const unique = (items: string[]) => [...new Set(items)];
