import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalStreams, ensureStream } from '@plantbridge/messaging';
import { connectOnce } from '@plantbridge/messaging/testing';
import { PlantNatsUsers } from '@plantbridge/nats-config';
import { makeTestCertificates, NatsServerProcess } from '@plantbridge/testing';
import { OrderSyncStack } from './order-sync-stack';

jest.setTimeout(120_000);

/**
 * The service as a least-privilege NATS user (its own capability and plant, its own consumers and
 * inbox, no stream administration) does all its work: the permissions are enough, not only narrow.
 */
describe('production-order-sync as a least-privilege NATS user, over TLS', () => {
  const stack = new OrderSyncStack();
  const users = new PlantNatsUsers(mkdtempSync(join(tmpdir(), 'nats-users-')));
  const credentials = users.addPlant(stack.plant)['production-order-sync'];
  let server: NatsServerProcess;
  // Over TLS, the broker's certificate signed by a CA the service is given.
  const certificates = makeTestCertificates();
  const tls = { caFile: join(certificates.dir, 'ca.crt') };

  beforeAll(async () => {
    server = await NatsServerProcess.start({
      config: (s) =>
        users.serverConfig({
          ...s,
          tls: {
            certFile: join(certificates.dir, 'server.crt'),
            keyFile: join(certificates.dir, 'server.key'),
          },
        }),
    });
    // Without the CA, the broker's certificate is not trusted.
    await expect(
      connectOnce({ url: server.url, name: 'no-ca', user: users.admin.user, pass: users.admin.password }),
    ).rejects.toThrow();
    const admin = await connectOnce({
      url: server.url,
      name: 'provisioning',
      user: users.admin.user,
      pass: users.admin.password,
      tls,
    });
    const jsm = await admin.jetstreamManager();
    for (const stream of canonicalStreams()) await ensureStream(jsm, stream);
    await admin.close();
    await stack.start({
      NATS_URL: server.url,
      NATS_TLS_CA_FILE: tls.caFile,
      ...credentials,
      NATS_STREAMS: 'check',
    });
  });
  afterAll(async () => {
    await stack.stop();
    await server.stop();
    certificates.remove();
  });

  it('takes orders from ERP, accepts confirmations and posts them, with nothing refused by NATS', async () => {
    const order = await stack.acknowledgedOrder();
    const ids: string[] = [];
    for (const yieldQuantity of [3, 4]) {
      const accepted = await stack.confirm(order, { yieldQuantity });
      expect(accepted.status).toBe(202);
      ids.push(accepted.body.confirmationId);
    }
    await stack.waitPosted(order, ids);
    expect(stack.erpLedger(order).map((c) => c.ExternalSystemConfirmation)).toEqual(ids);
    expect(stack.service?.text()).not.toMatch(/Permissions Violation|permission/i);
  });
});
