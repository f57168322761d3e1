import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, Equipment, Production, subjectFor } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import {
  canonicalStreams,
  durableNameFor,
  ensureStream,
  inboxPrefixFor,
  narrowToPlant,
} from '@plantbridge/messaging';
import { connectOnce } from '@plantbridge/messaging/testing';
import { NatsServerProcess, uniqueToken } from '@plantbridge/testing';
import { PlantNatsUsers } from '../src';

jest.setTimeout(60_000);

/**
 * A broker configured as `npm start` and the chart configure it: no anonymous access, every service
 * a user of its own with least privilege, a SaaS reader limited to its consumers. Tried as a client
 * on the plant network would.
 */
describe('NATS with least-privilege users', () => {
  const plant = uniqueToken('P');
  const other = uniqueToken('Q');
  const users = new PlantNatsUsers(mkdtempSync(join(tmpdir(), 'nats-users-')));
  const services = users.addPlant(plant);
  users.addPlant(other);
  const readerDurable = `saas-analytics--${plant}`;
  const reader = users.addReader({
    user: 'saas-analytics',
    consumers: [{ stream: 'PRODUCTION', durable: readerDurable }],
  });
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
    // Provisioning, with the administrator's rights: the streams and the reader's consumer.
    const admin = await as(users.admin.user, users.admin.password);
    const jsm = await admin.jetstreamManager();
    for (const stream of canonicalStreams()) await ensureStream(jsm, stream);
    await jsm.consumers.add('PRODUCTION', {
      durable_name: readerDurable,
      filter_subject: `mfg.production.v1.${plant}.>`,
      ack_policy: 'explicit' as never,
    });
    await admin.close();
  });
  afterAll(() => server.stop());

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
