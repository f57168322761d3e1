import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  canonicalStreams,
  DEFAULT_STREAM_SETTINGS,
  ensureConsumer,
  ensureStream,
  JetStreamConnection,
} from '@plantbridge/messaging';
import { readSubscribersFile, subscriberConsumers } from '@plantbridge/nats-config';

const HELP = `npm run provision -- [options]

Makes the JetStream streams every Plantbridge service needs (the capability streams and DLQ), or
brings them to their declared settings; idempotent, and it never deletes. Run it with an
administrator's NATS rights before services that run as least-privilege users (NATS_STREAMS=check).

Options:
  --replicas N          stream replicas (default ${DEFAULT_STREAM_SETTINGS.replicas}; 3 on a cluster)
  --subscribers FILE    also the durable consumers of the SaaS subscribers in FILE (JSON, see the
                        README's Security section); a consumer whose subject changed is refused,
                        not replaced: give it a new durable name
  --help                this text

Environment: NATS_URL (default nats://127.0.0.1:4222), NATS_USER and NATS_PASSWORD (or
NATS_PASSWORD_FILE), or NATS_CREDS_FILE; NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE.
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { replicas: { type: 'string' }, subscribers: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const replicas = values.replicas === undefined ? DEFAULT_STREAM_SETTINGS.replicas : Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new Error('--replicas must be 1 to 5');
  // Read before connecting, so a mistake in the file is named before anything changes.
  const subscribers = values.subscribers ? readSubscribersFile(values.subscribers) : [];
  const env = process.env;
  const password = env.NATS_PASSWORD_FILE
    ? readFileSync(env.NATS_PASSWORD_FILE, 'utf8').trim()
    : env.NATS_PASSWORD;
  const connection = new JetStreamConnection(
    {
      url: env.NATS_URL ?? 'nats://127.0.0.1:4222',
      name: 'plantbridge-provision',
      user: env.NATS_USER,
      pass: password,
      credsFile: env.NATS_CREDS_FILE,
      tls: { caFile: env.NATS_TLS_CA_FILE, certFile: env.NATS_TLS_CERT_FILE, keyFile: env.NATS_TLS_KEY_FILE },
    },
    {
      log: () => undefined,
      warn: (m) => process.stderr.write(`${m}\n`),
      error: (m) => process.stderr.write(`${m}\n`),
    },
  );
  connection.start();
  const connected = await Promise.race([
    connection.whenConnected().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
  ]);
  if (!connected)
    throw new Error(`no NATS answered at ${env.NATS_URL ?? 'nats://127.0.0.1:4222'} within 10 s`);
  let failed = 0;
  try {
    for (const stream of canonicalStreams({ ...DEFAULT_STREAM_SETTINGS, replicas })) {
      try {
        process.stdout.write(`stream ${stream.name}: ${await ensureStream(connection.manager(), stream)}\n`);
      } catch (error) {
        failed++;
        process.stderr.write(`stream ${stream.name}: ${(error as Error).message}\n`);
      }
    }
    for (const subscriber of subscribers) {
      for (const consumer of subscriberConsumers(subscriber)) {
        const what = `consumer ${consumer.stream}/${consumer.durable} of ${subscriber.name}`;
        try {
          process.stdout.write(`${what}: ${await ensureConsumer(connection.manager(), consumer)}\n`);
        } catch (error) {
          failed++;
          process.stderr.write(`${what}: ${(error as Error).message}\n`);
        }
      }
    }
  } finally {
    await connection.close();
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`provision: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
