import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createEvent, Equipment, Production, subjectFor } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { durableNameFor, inboxPrefixFor, narrowToPlant } from '@plantbridge/messaging';
import { connectOnce } from '@plantbridge/messaging/testing';
import { NatsServerProcess, uniqueToken } from '@plantbridge/testing';
import { PlantNatsUsers, readSubscribersFile } from '../src';

const ROOT = resolve(__dirname, '../../..');
/** `npm run provision` as a plant's administrator runs it. */
const provision = (env: Record<string, string>, ...args: string[]) =>
  promisify(execFile)(
    process.execPath,
    ['-r', join(ROOT, 'tools/runtime/register.js'), join(ROOT, 'tools/provision/main.ts'), ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
  );

jest.setTimeout(60_000);

/**
 * A broker configured as `npm start` and the chart configure it: no anonymous access, every service
 * a user of its own with least privilege, a SaaS reader limited to its consumers. Tried as a client
 * on the plant network would.
 */
describe('NATS with least-privilege users', () => {
  const plant = uniqueToken('P');
  const other = uniqueToken('Q');
  const dir = mkdtempSync(join(tmpdir(), 'nats-users-'));
  const users = new PlantNatsUsers(dir);
  const services = users.addPlant(plant);
  users.addPlant(other);
  // A SaaS subscriber as an integration architect declares it: its user, and a consumer of one plant.
  const readerDurable = `saas-analytics--${plant}`;
  const subscribersFile = join(dir, 'subscribers.json');
  writeFileSync(
    subscribersFile,
    JSON.stringify({
      subscribers: [
        {
          name: 'saas-analytics',
          consumers: [{ subject: `mfg.production.v1.${plant}.>`, durable: readerDurable }],
        },
      ],
    }),
  );
  const [reader] = users.addSubscribers(readSubscribersFile(subscribersFile));
  let server: NatsServerProcess;
  const as = (user: string, password: string) =>
    connectOnce({ url: server.url, name: user, user, pass: password });
  /** An event as it would be published: its subject and JSON body. */
  const message = (event: Parameters<typeof createEvent>[0], forPlant = plant) => ({
    subject: subjectFor(event, forPlant),
    body: JSON.stringify(
      createEvent(event, { ...samplePayload(event.type), plant: forPlant } as never, {
        plant: forPlant,
        source: '/forger',
      }),
    ),
  });

  beforeAll(async () => {
    server = await NatsServerProcess.start({ config: (s) => users.serverConfig(s) });
    // Provisioning, with the administrator's rights: the streams and the subscriber's consumer.
    const { stdout } = await provision(
      { NATS_URL: server.url, NATS_USER: users.admin.user, NATS_PASSWORD: users.admin.password },
      '--subscribers',
      subscribersFile,
    );
    expect(stdout).toContain(`consumer PRODUCTION/${readerDurable} of saas-analytics: created`);
  });
  afterAll(() => server.stop());

  it('provisioning names the mistakes of a subscribers file before it changes anything', async () => {
    const bad = join(dir, 'bad-subscribers.json');
    writeFileSync(bad, JSON.stringify({ subscribers: [{ name: 'x', consumers: [{ subject: 'dlq.>' }] }] }));
    // No NATS answers at this address: the file is read first, so its error is what is reported.
    const failure = await provision({ NATS_URL: 'nats://127.0.0.1:1' }, '--subscribers', bad).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'subscribers[0].consumers[0].subject: dlq.> is not under mfg.<capability>.',
      ),
    });
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connectOnce({ url: server.url, name: 'anonymous' })).rejects.toThrow(/Authorization/i);
    await expect(as('production-order-sync-' + plant, 'guessed')).rejects.toThrow(/Authorization/i);
  });

  it('lets production-order-sync publish its own events of its plant, and no equipment event', async () => {
    const pos = services['production-order-sync'];
    const nc = await as(pos.NATS_USER, pos.NATS_PASSWORD);
    try {
      const js = nc.jetstream();
      const own = message(Production.OrderReleasedV1Event);
      await expect(js.publish(own.subject, own.body)).resolves.toMatchObject({
        stream: 'PRODUCTION',
      });
      // Another plant's production subjects, and the edge gateway's capability, are not its to publish.
      const otherPlant = message(Production.OrderReleasedV1Event, other);
      await expect(js.publish(otherPlant.subject, otherPlant.body, { timeout: 2000 })).rejects.toThrow();
      const forged = message(Equipment.ProductionCountedV1Event);
      await expect(js.publish(forged.subject, forged.body, { timeout: 2000 })).rejects.toThrow();
    } finally {
      await nc.close();
    }
  });

  it("production-order-sync cannot point its own durable at another plant's events", async () => {
    const pos = services['production-order-sync'];
    const nc = await as(pos.NATS_USER, pos.NATS_PASSWORD);
    try {
      const jsm = await nc.jetstreamManager();
      const filter = (p: string) => narrowToPlant('mfg.production.v1.*.operation-confirmed', p);
      const durable = durableNameFor('production-order-sync', filter(plant));
      await expect(
        jsm.consumers.add('PRODUCTION', { durable_name: durable, filter_subject: filter(other) }),
      ).rejects.toThrow();
      await expect(
        jsm.consumers.add('PRODUCTION', { durable_name: durable, filter_subject: 'mfg.>' }),
      ).rejects.toThrow();
      // Its own filter is what it may make (as the service does at boot).
      await expect(
        jsm.consumers.add('PRODUCTION', { durable_name: durable, filter_subject: filter(plant) }),
      ).resolves.toMatchObject({ name: durable });
    } finally {
      await nc.close();
    }
  });

  it('a forged count from a client without the edge gateway rights never reaches the stream', async () => {
    const nc = await as(reader.user, reader.password);
    const forged = message(Equipment.ProductionCountedV1Event);
    nc.publish(forged.subject, forged.body); // core NATS: no answer to wait for
    await nc.flush();
    await nc.close();
    const edge = services['edge-gateway'];
    const gateway = await as(edge.NATS_USER, edge.NATS_PASSWORD);
    try {
      const info = await (await gateway.jetstreamManager()).streams.info('EQUIPMENT');
      expect(info.state.messages).toBe(0);
    } finally {
      await gateway.close();
    }
  });

  it('lets a SaaS reader pull its own plant through its consumer, and nothing more', async () => {
    const nc = await as(reader.user, reader.password);
    try {
      const js = nc.jetstream();
      const consumer = await js.consumers.get('PRODUCTION', readerDurable);
      const pulled = await consumer.next({ expires: 2000 });
      expect(pulled?.subject).toMatch(new RegExp(`^mfg\\.production\\.v1\\.${plant}\\.`));
      pulled?.ack();
      // It may not publish, make a consumer of another plant, nor listen on the subjects directly.
      const event = message(Production.OrderReleasedV1Event);
      await expect(js.publish(event.subject, event.body, { timeout: 2000 })).rejects.toThrow();
      const jsm = await nc.jetstreamManager();
      await expect(
        jsm.consumers.add('PRODUCTION', {
          durable_name: 'peek',
          filter_subject: `mfg.production.v1.${other}.>`,
        }),
      ).rejects.toThrow();
      const errors: Error[] = [];
      nc.subscribe(`mfg.production.v1.${other}.>`, { callback: (error) => error && errors.push(error) });
      await nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors.map((e) => e.message).join()).toMatch(/Permissions Violation/i);
    } finally {
      await nc.close().catch(() => undefined);
    }
  });

  it("gives every user an inbox of its own: nobody reads another's acknowledgements or deliveries", async () => {
    const nc = await as(reader.user, reader.password);
    try {
      const errors: Error[] = [];
      const inbox = inboxPrefixFor(services['production-order-sync'].NATS_USER);
      nc.subscribe(`${inbox}.>`, { callback: (error) => error && errors.push(error) });
      await nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors.map((e) => e.message).join()).toMatch(/Permissions Violation/i);
    } finally {
      await nc.close().catch(() => undefined);
    }
  });
});
