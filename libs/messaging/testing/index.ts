import { AckPolicy, connect, DeliverPolicy, type JsMsg, type NatsConnection, nanos } from 'nats';
import {
  connectionOptions,
  JetStreamConnection,
  type MessagingLogger,
  type NatsSettings,
} from '../src/connection/jetstream-connection';
import { fromNatsHeaders, type HeaderMap } from '../src/publishing/headers';

export const silentLogger: MessagingLogger = process.env.DEBUG_MESSAGING
  ? { log: console.log, warn: console.warn, error: console.error }
  : { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A started connection, resolved once connected. */
/**
 * One attempt to connect with these settings, no retries: what a client the broker refuses sees
 * (an anonymous client, a wrong password). Close the connection it returns.
 */
export function connectOnce(settings: NatsSettings): Promise<NatsConnection> {
  return connect({ ...connectionOptions(settings), maxReconnectAttempts: 0, timeout: 3000 });
}

export async function connectForTest(url: string, name = 'plantbridge-test'): Promise<JetStreamConnection> {
  const connection = new JetStreamConnection({ url, name }, silentLogger);
  connection.start();
  await connection.whenConnected();
  return connection;
}

export interface StoredMessage {
  subject: string;
  seq: number;
  headers: HeaderMap;
  body: string;
}

/**
 * Every message a stream holds on `filterSubject`, read with a temporary pull consumer (the ordered
 * consumer of nats.js needs a newer server than the 2.9 this machine runs).
 */
export async function readStream(
  connection: JetStreamConnection,
  stream: string,
  filterSubject: string,
): Promise<StoredMessage[]> {
  const jsm = connection.manager();
  const info = await jsm.streams.info(stream, { subjects_filter: filterSubject });
  const expected = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  if (expected === 0) return [];
  const reader = await jsm.consumers.add(stream, {
    filter_subject: filterSubject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: nanos(60_000),
  });
  try {
    const consumer = await connection.jetstream().consumers.get(stream, reader.name);
    const out: StoredMessage[] = [];
    while (out.length < expected) {
      const batch = await consumer.fetch({ max_messages: expected - out.length, expires: 2000 });
      let got = 0;
      for await (const m of batch as AsyncIterable<JsMsg>) {
        out.push({ subject: m.subject, seq: m.seq, headers: fromNatsHeaders(m.headers), body: m.string() });
        got++;
      }
      if (got === 0) break;
    }
    return out;
  } finally {
    await jsm.consumers.delete(stream, reader.name);
  }
}

/** Removes the durable consumers whose names contain `token` (a test's unique plant), from every stream. */
export async function deleteDurables(connection: JetStreamConnection, token: string): Promise<void> {
  const jsm = connection.manager();
  for await (const stream of jsm.streams.list()) {
    for await (const consumer of jsm.consumers.list(stream.config.name)) {
      if (consumer.name.includes(token)) await jsm.consumers.delete(stream.config.name, consumer.name);
    }
  }
}

/**
 * True when every durable consumer on `stream` whose name contains `token` has handled all it was
 * sent (nothing pending, nothing unacknowledged), and there is at least one.
 */
export async function consumersSettled(
  connection: JetStreamConnection,
  stream: string,
  token: string,
): Promise<boolean> {
  let seen = 0;
  for await (const consumer of connection.manager().consumers.list(stream)) {
    if (!consumer.name.includes(token)) continue;
    seen++;
    if (consumer.num_pending > 0 || consumer.num_ack_pending > 0) return false;
  }
  return seen > 0;
}
