import { createEvent, Equipment } from '@plantbridge/canonical-model';
import { EventPublisher, toRawMessage } from '@plantbridge/messaging';
import { readStream } from '@plantbridge/messaging/testing';
import { expectEventually, freePort, NatsServerProcess, uniqueToken } from '@plantbridge/testing';
import { countBy, OrderSyncStack } from './order-sync-stack';

jest.setTimeout(180_000);

describe('production-order-sync with ERP (simulator over HTTP), PostgreSQL and NATS', () => {
  const stack = new OrderSyncStack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());
  afterEach(() => stack.erp.faults.clear());

  it('order released in ERP appears for MES, is acknowledged, confirmed twice, and ERP holds exactly those two', async () => {
    const order = await stack.releaseOrder(100);
    const listed = await stack.get(`/v1/plants/${stack.plant}/production-orders?status=released`);
    expect(listed.body.map((o: { manufacturingOrder: string }) => o.manufacturingOrder)).toContain(order);

    const early = await stack.post(`${stack.orderPath(order)}/operations/0010/start`, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/must be acknowledged/);

    const ack = await stack.post(
      `${stack.orderPath(order)}/acknowledgement`,
      { accepted: true, acknowledgedBy: 'mes-1' },
      'ack-' + order,
    );
    // Who acknowledged is the verified caller (the token's subject), not the name in the body.
    expect(ack).toMatchObject({ status: 200, body: { status: 'acknowledged', acknowledgedBy: 'test-mes' } });
    const replay = await stack.post(
      `${stack.orderPath(order)}/acknowledgement`,
      { accepted: true, acknowledgedBy: 'mes-1' },
      'ack-' + order,
    );
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (await stack.post(`${stack.orderPath(order)}/operations/0010/start`, { equipmentId: 'M01' })).status,
    ).toBe(200);

    const correlation = uniqueToken('corr');
    const partial = await stack.confirm(order, { yieldQuantity: 40, scrapQuantity: 2 }, undefined, {
      'x-correlation-id': correlation,
    });
    const final = await stack.confirm(order, { yieldQuantity: 58.5, finalConfirmation: true });
    expect(partial.status).toBe(202);
    expect(final.status).toBe(202);
    expect(partial.headers.get('location')).toBe(
      `${stack.orderPath(order)}/confirmations/${partial.body.confirmationId}`,
    );
    await stack.waitPosted(order, [partial.body.confirmationId, final.body.confirmationId]);

    const status = await stack.get(partial.headers.get('location') as string);
    expect(status.body).toMatchObject({
      status: 'posted',
      erpConfirmation: { confirmationCount: '00000001' },
    });
    const ledger = stack.erpLedger(order);
    expect(ledger).toHaveLength(2);
    expect(
      ledger.map((c) => [
        c.ExternalSystemConfirmation,
        c.ConfirmationYieldQuantity,
        c.ConfirmationScrapQuantity,
        c.FinalConfirmationType,
      ]),
    ).toEqual([
      [partial.body.confirmationId, '40.000', '2.000', ''],
      [final.body.confirmationId, '58.500', '0.000', 'X'],
    ]);
    const orderView = await stack.get(stack.orderPath(order));
    expect(orderView.body.operations[0]).toMatchObject({
      status: 'started',
      confirmedYield: 98.5,
      confirmedScrap: 2,
    });

    // Lineage: the MES request's correlation id reaches the posted event.
    const events = await expectEventually(async () => {
      const all = (await stack.productionEvents()).filter((e) => e.subject === order);
      expect(all.filter((e) => e.type.endsWith('confirmation-posted.v1'))).toHaveLength(2);
      return all;
    });
    expect(countBy(events, (e) => e.type.split('.')[2])).toEqual(
      new Map([
        ['order-released', 1],
        ['order-acknowledged', 1],
        ['operation-started', 1],
        ['operation-confirmed', 2],
        ['confirmation-posted', 2],
      ]),
    );
    const partialEvents = events.filter(
      (e) => (e.data as { confirmationKey?: string }).confirmationKey === partial.body.confirmationId,
    );
    expect(partialEvents.map((e) => e.correlationid)).toEqual([correlation, correlation]);
  });

  it('serves an OpenAPI document generated from its controllers', async () => {
    const { status, body } = await stack.get('/openapi.json');
    expect(status).toBe(200);
    const confirm = body.paths['/v1/plants/{plant}/production-orders/{order}/confirmations'].post;
    expect(confirm.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
      ]),
    );
    expect(Object.keys(confirm.responses)).toEqual(expect.arrayContaining(['202', '404', '409', '422']));
    expect(body.components.schemas.ConfirmOperationRequest.required).toEqual(
      expect.arrayContaining(['operation', 'yieldQuantity', 'unit', 'executionStart', 'executionEnd']),
    );
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/plants/{plant}/production-orders/{order}/acknowledgement',
        '/v1/plants/{plant}/erp-postings/{key}/retry',
        '/v1/plants/{plant}/erp/status',
      ]),
    );
  });

  it('posts the confirmations of one operation to ERP in the order the plant made them', async () => {
    const order = await stack.acknowledgedOrder(1000);
    // Answers overtake each other: without ordering, the final would often land before a partial.
    stack.erp.faults.set({ latencyMs: 20, latencyJitterMs: 200 });
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const accepted = await stack.confirm(order, { yieldQuantity: i, finalConfirmation: i === 6 });
      ids.push(accepted.body.confirmationId);
    }
    await stack.waitPosted(order, ids);
    expect(stack.erpLedger(order).map((c) => c.ExternalSystemConfirmation)).toEqual(ids);
    // Partial is '' in SAP; '1' would have let SAP final-confirm the operation by itself.
    expect(stack.erpLedger(order).map((c) => c.FinalConfirmationType)).toEqual(['', '', '', '', '', 'X']);
  });

  it('answers every bad input with its status and a message naming the field or rule', async () => {
    const order = await stack.acknowledgedOrder(100);
    const path = `${stack.orderPath(order)}/confirmations`;
    const valid = {
      operation: '0010',
      yieldQuantity: 1,
      unit: 'PC',
      executionStart: '2026-11-26T06:00:00Z',
      executionEnd: '2026-11-26T08:00:00Z',
    };

    const malformed = await stack.post(path, {
      ...valid,
      yieldQuantity: -1,
      scrapQuantity: 'x',
      executionStart: '26.11.2026',
      extra: true,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'executionStart',
      'extra',
      'scrapQuantity',
      'yieldQuantity',
    ]);
    expect((await stack.post(path, { ...valid, yieldQuantity: 1.0001 })).body.message).toMatch(
      /yieldQuantity.*3 decimals/,
    );
    expect((await stack.post(path, '{not json')).status).toBe(400);
    // 500s on input, once: exponent-form quantities threw in the decimals check, deep nesting
    // overflowed the stack in class-transformer.
    for (const yieldQuantity of [1e-7, 5e-324]) {
      const tiny = await stack.post(path, { ...valid, yieldQuantity });
      expect(tiny).toMatchObject({ status: 400, body: { errors: [{ field: 'yieldQuantity' }] } });
    }
    const deep = await stack.post(path, `{"operation":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(deep).toMatchObject({ status: 400, body: { errors: [{ field: '(body)' }] } });
    const backwards = await stack.post(path, { ...valid, executionEnd: '2026-11-26T05:00:00Z' });
    expect(backwards).toMatchObject({ status: 400, body: { errors: [{ field: 'executionEnd' }] } });
    const noKey = await stack.post(path, valid, null);
    expect(noKey).toMatchObject({ status: 400, body: { errors: [{ field: 'Idempotency-Key' }] } });

    // A plant this deployment does not serve, by a caller that may touch every plant.
    const everyPlant = { authorization: `Bearer ${await stack.issuer.tokenForEverything(['*'])}` };
    expect(
      (
        await stack.post(
          `/v1/plants/NOPE/production-orders/${order}/confirmations`,
          valid,
          'nope',
          everyPlant,
        )
      ).status,
    ).toBe(404);
    const unknownOrder = await stack.post(`${stack.orderPath('9999999')}/confirmations`, valid);
    expect(unknownOrder).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining('9999999') },
    });
    const unknownOp = await stack.post(path, { ...valid, operation: '0090' });
    expect(unknownOp).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining('operation 0090 is not part of order') },
    });
    expect((await stack.post(path, { ...valid, unit: 'KG' })).body.message).toMatch(
      /unit KG does not match the order's unit PC/,
    );
    const tooMuch = await stack.post(path, { ...valid, yieldQuantity: 111 });
    expect(tooMuch).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining('+ 10 % tolerance (110 PC)') },
    });
    expect((await stack.post(path, { ...valid, yieldQuantity: 110 })).status).toBe(202);

    const key = uniqueToken('k');
    expect((await stack.confirm(order, { yieldQuantity: 0 }, key)).status).toBe(202);
    const reused = await stack.confirm(order, { yieldQuantity: 0, scrapQuantity: 0.5 }, key);
    expect(reused).toMatchObject({ status: 409, body: { errors: [{ field: 'Idempotency-Key' }] } });

    const rejectedOrder = await stack.releaseOrder();
    const reject = await stack.post(`${stack.orderPath(rejectedOrder)}/acknowledgement`, { accepted: false });
    expect(reject).toMatchObject({ status: 400, body: { errors: [{ field: 'rejectionReason' }] } });
    expect(
      (
        await stack.post(`${stack.orderPath(rejectedOrder)}/acknowledgement`, {
          accepted: false,
          rejectionReason: 'no material',
        })
      ).status,
    ).toBe(200);
    expect((await stack.confirm(rejectedOrder, { yieldQuantity: 1 })).body.message).toMatch(
      /rejected by the plant/,
    );
    const twice = await stack.post(`${stack.orderPath(rejectedOrder)}/acknowledgement`, { accepted: true });
    expect(twice).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('already rejected') },
    });

    const closed = await stack.acknowledgedOrder();
    stack.erp.store.setClosed(closed, true);
    await expectEventually(async () =>
      expect((await stack.get(stack.orderPath(closed))).body.erpStatus).toBe('closed'),
    );
    expect(await stack.confirm(closed, { yieldQuantity: 1 })).toMatchObject({
      status: 409,
      body: { message: `order ${closed} is closed in ERP` },
    });
    expect((await stack.get(`${stack.orderPath(order)}/confirmations/not-a-uuid`)).body).toMatchObject({
      errors: [{ field: 'id' }],
    });
    // A path segment obeys the rule of the field it names: NUL was a 500 (PostgreSQL refuses it).
    const nul = await stack.get(`${stack.orderPath('a%00b')}/confirmations`);
    expect(nul).toMatchObject({ status: 400, body: { errors: [{ field: 'order' }] } });
    expect((await stack.get(`${stack.orderPath('4711')}/confirmations`)).status).toBe(404);
  });

  it('keeps accepting while ERP answers 503 for a minute, then posts every confirmation once; the breaker opens and closes', async () => {
    const order = await stack.acknowledgedOrder(1000);
    stack.erp.faults.set({ outageMs: 60_000 });
    const ids: string[] = [];
    const circuits = new Set<string>();
    const until = Date.now() + 50_000;
    while (Date.now() < until) {
      const accepted = await stack.confirm(order, { yieldQuantity: 5 });
      expect(accepted.status).toBe(202);
      expect(accepted.ms).toBeLessThan(1000);
      ids.push(accepted.body.confirmationId);
      circuits.add((await stack.erpStatus()).circuit);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    expect(circuits).toContain('open');
    expect((await stack.erpStatus()).postings.posted ?? 0).toBeGreaterThanOrEqual(0);
    expect(stack.erpLedger(order)).toHaveLength(0);
    await stack.waitPosted(order, ids, 60_000);
    expect([...countBy(stack.erpLedger(order), (c) => c.ExternalSystemConfirmation).values()]).toEqual(
      ids.map(() => 1),
    );
    expect(stack.erpLedger(order)).toHaveLength(ids.length);
    await expectEventually(async () => expect((await stack.erpStatus()).circuit).toBe('closed'));
  });

  it('posts exactly once per Idempotency-Key when ERP commits and drops the answer on every third call', async () => {
    const order = await stack.acknowledgedOrder(1000);
    stack.erp.faults.set({ dropResponseEvery: 3 });
    const dropsBefore = stack.erp.requestLog().filter((r) => r.status === 0).length;
    const accepted = await Promise.all(
      Array.from({ length: 15 }, () => stack.confirm(order, { yieldQuantity: 2 })),
    );
    const ids = accepted.map((a) => a.body.confirmationId as string);
    await stack.waitPosted(order, ids);
    expect(stack.erp.requestLog().filter((r) => r.status === 0).length - dropsBefore).toBeGreaterThanOrEqual(
      4,
    );
    const perKey = countBy(stack.erpLedger(order), (c) => c.ExternalSystemConfirmation);
    expect(ids.map((id) => perKey.get(id))).toEqual(ids.map(() => 1));
  });

  it('waits as long as Retry-After says when ERP answers 429', async () => {
    const order = await stack.acknowledgedOrder();
    stack.erp.faults.set({ throttle: { count: 1, retryAfterSeconds: 6, pathContains: 'ProdnOrdConf2' } });
    const accepted = await stack.confirm(order, { yieldQuantity: 3 });
    await stack.waitPosted(order, [accepted.body.confirmationId]);
    const posts = stack.erp
      .requestLog()
      .filter((r) => r.method === 'POST' && r.path.endsWith('ProdnOrdConf2'));
    const throttled = posts.findLast((r) => r.status === 429);
    const next = posts.find((r) => throttled && r.at > throttled.at);
    expect(throttled).toBeDefined();
    expect(next!.at - throttled!.at).toBeGreaterThanOrEqual(6000);
    expect(stack.erpLedger(order)).toHaveLength(1);
  });

  it('loses and doubles nothing when killed mid-posting and restarted; no order is missed or announced twice', async () => {
    const order = await stack.acknowledgedOrder(1000);
    stack.erp.faults.set({ latencyMs: 1500 });
    const accepted = await Promise.all(
      Array.from({ length: 10 }, () => stack.confirm(order, { yieldQuantity: 1 })),
    );
    const ids = accepted.map((a) => a.body.confirmationId as string);
    await expectEventually(async () =>
      expect((await stack.erpStatus()).postings['in-flight']).toBeGreaterThan(0),
    );
    await stack.service!.stop('SIGKILL');
    stack.erp.faults.clear();
    // Released while the service is down: found by the first poll after the restart.
    const missedWhileDown = stack.erp.store.releaseOrder({ plant: stack.plant }).ManufacturingOrder;
    stack.released.push(missedWhileDown);
    await stack.startService();
    await expectEventually(async () =>
      expect((await stack.get(stack.orderPath(missedWhileDown))).status).toBe(200),
    );
    await stack.waitPosted(order, ids, 60_000);
    const perKey = countBy(stack.erpLedger(order), (c) => c.ExternalSystemConfirmation);
    expect(ids.map((id) => perKey.get(id))).toEqual(ids.map(() => 1));
    const released = (await stack.productionEvents()).filter((e) => e.type.endsWith('order-released.v1'));
    expect(countBy(released, (e) => e.subject as string)).toEqual(new Map(stack.released.map((o) => [o, 1])));
  });

  it('puts a business rejection in the exception queue with SAP message; a retry after the fix posts it once; actions are audited', async () => {
    const order = await stack.acknowledgedOrder();
    stack.erp.faults.set({ throttle: { count: 1000, retryAfterSeconds: 1, pathContains: 'ProdnOrdConf2' } });
    const accepted = await stack.confirm(order, { yieldQuantity: 7 });
    // Another operation: one of the same operation would wait behind the first (see the next test).
    const other = await stack.confirm(order, { yieldQuantity: 1, operation: '0020' });
    const [key, otherKey] = [accepted.body.confirmationId as string, other.body.confirmationId as string];
    stack.erp.store.setClosed(order, true);
    stack.erp.faults.clear();
    const queue = `/v1/plants/${stack.plant}/erp-postings`;
    const failed = await expectEventually(async () => {
      const list = await stack.get(queue);
      expect(list.body.map((p: { postingKey: string }) => p.postingKey)).toEqual(
        expect.arrayContaining([key, otherKey]),
      );
      return list.body.find((p: { postingKey: string }) => p.postingKey === key);
    });
    expect(failed).toMatchObject({
      state: 'failed',
      erpCode: 'RU/140',
      lastError: expect.stringContaining('already closed'),
    });
    expect((await stack.get(accepted.headers.get('location') as string)).body).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('already closed'),
    });

    expect((await stack.post(`${queue}/${key}/retry`, { requestedBy: 'lead' }, null)).status).toBe(400);
    stack.erp.store.setClosed(order, false);
    const retried = await stack.post(`${queue}/${key}/retry`, {
      requestedBy: 'lead',
      reason: 'reopened in ERP',
    });
    expect(retried).toMatchObject({
      status: 200,
      // Who acted is the token's subject and client; the body's name is whom it acted for.
      body: {
        state: 'in-doubt',
        audit: [
          { action: 'retry', actor: 'test-mes', client: 'test-mes', onBehalfOf: 'lead', fromState: 'failed' },
        ],
      },
    });
    await stack.waitPosted(order, [key]);
    expect(stack.erpLedger(order).map((c) => c.ExternalSystemConfirmation)).toEqual([key]);
    expect((await stack.post(`${queue}/${key}/retry`, { requestedBy: 'lead' })).status).toBe(409);

    const discarded = await stack.post(`${queue}/${otherKey}/discard`, {
      requestedBy: 'lead',
      reason: 'entered twice',
    });
    expect(discarded).toMatchObject({ status: 200, body: { state: 'discarded' } });
    const detail = await stack.get(`${queue}/${otherKey}`);
    expect(detail.body.audit).toEqual([
      expect.objectContaining({ action: 'discard', reason: 'entered twice', toState: 'discarded' }),
    ]);
    expect(stack.erpLedger(order)).toHaveLength(1);
    const metrics = await fetch(`${stack.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${stack.token}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/plantbridge_erp_postings\{state="discarded"\} [1-9]/);
  });

  it('concurrent exception-queue retries wedged the database pool: a retry takes no second connection', async () => {
    // Each retry's transaction asked for a second connection while holding one; with every
    // connection held that way (ten concurrent retries on a pool of ten, one here) no query of the
    // service could run again. On one connection the old code answered 500 after the acquire timeout.
    const orders = await Promise.all(Array.from({ length: 3 }, () => stack.acknowledgedOrder()));
    for (const order of orders) stack.erp.store.setClosed(order, true);
    const keys: string[] = [];
    for (const order of orders)
      keys.push((await stack.confirm(order, { yieldQuantity: 2 })).body.confirmationId);
    const queue = `/v1/plants/${stack.plant}/erp-postings`;
    await expectEventually(async () => {
      const failed = (await stack.get(queue)).body as Array<{ postingKey: string }>;
      expect(failed.map((p) => p.postingKey)).toEqual(expect.arrayContaining(keys));
    });
    for (const order of orders) stack.erp.store.setClosed(order, false);

    const retries = await Promise.all(
      keys.map((key) => stack.post(`${queue}/${key}/retry`, { requestedBy: 'lead', reason: 'reopened' })),
    );
    expect(retries.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const [i, order] of orders.entries()) await stack.waitPosted(order, [keys[i]]);
    expect((await stack.get(`/v1/plants/${stack.plant}/erp/status`)).status).toBe(200);
  });

  it('one request wedges an operation, then the plant: refused now, and a dead-lettered posting goes to the exception queue with the ones behind it waiting for its retry or discard', async () => {
    const order = await stack.acknowledgedOrder(500);
    const long = await stack.confirm(order, { yieldQuantity: 1 }, undefined, {
      'x-correlation-id': 'c'.repeat(100),
    });
    expect(long).toMatchObject({ status: 400, body: { errors: [{ field: 'X-Correlation-Id' }] } });
    const impossible = await stack.confirm(order, {
      yieldQuantity: 1,
      executionStart: '2026-02-30T06:00:00Z',
    });
    expect(impossible).toMatchObject({ status: 400, body: { errors: [{ field: 'executionStart' }] } });

    // Events an earlier build accepted and its consumers refuse: written while NATS is away, then
    // broken in the outbox before the relay sends them.
    await stack.restartService({ NATS_URL: `nats://127.0.0.1:${await freePort()}` });
    const keys: Record<string, string[]> = { '0010': [], '0020': [] };
    for (const operation of ['0010', '0020']) {
      for (let i = 0; i < 3; i++) {
        const accepted = await stack.confirm(order, { yieldQuantity: 1 + i, operation });
        expect(accepted.status).toBe(202);
        keys[operation]?.push(accepted.body.confirmationId as string);
      }
    }
    const [a, b, c] = keys['0010'] as string[];
    const [d, e, f] = keys['0020'] as string[];
    await stack.service?.stop();
    for (const key of [a, d]) {
      const [row] = await stack.sql<{ position: number; body: string }>(
        `SELECT position, body FROM outbox_message WHERE subject LIKE '%.operation-confirmed' AND body LIKE $1`,
        [`%"confirmationKey":"${key}"%`],
      );
      const event = JSON.parse(row?.body ?? '{}') as { correlationid: string };
      event.correlationid = 'c'.repeat(100);
      await stack.sql('UPDATE outbox_message SET body = $1 WHERE position = $2', [
        JSON.stringify(event),
        row?.position,
      ]);
    }
    await stack.startService();

    const queue = `/v1/plants/${stack.plant}/erp-postings`;
    await expectEventually(async () => {
      const failed = (await stack.get(queue)).body as Array<{ postingKey: string; lastError: string }>;
      expect(failed.map((p) => p.postingKey).sort()).toEqual([a, d].sort());
      for (const p of failed) expect(p.lastError).toMatch(/dead-lettered: invalid envelope: correlationid/);
    });
    // The ones behind them wait, pending, and hold nothing at JetStream: 1,000 waiting messages once
    // filled the consumer's ack-pending and stopped every posting of the plant.
    await expectEventually(async () => {
      const pending = (await stack.get(`${queue}?state=pending`)).body as Array<{ postingKey: string }>;
      expect(pending.map((p) => p.postingKey).sort()).toEqual([b, c, e, f].sort());
      const durable = `production-order-sync--production-v1-${stack.plant}-operation-confirmed`;
      const info = await stack.connection.manager().consumers.info('PRODUCTION', durable);
      expect({ pending: info.num_pending, acks: info.num_ack_pending }).toEqual({ pending: 0, acks: 0 });
    });
    expect(stack.erpLedger(order)).toEqual([]);

    // b retried before a: it would only wait behind a, in doubt and out of reach.
    expect((await stack.post(`${queue}/${b}/retry`, { requestedBy: 'lead' })).status).toBe(409);
    // ERP drops every second answer while a's retry moves b and c: one left in doubt by the walk
    // must be looked up and posted by the walk's next round, not skipped (its own message is gone).
    stack.erp.faults.set({ dropResponseEvery: 2 });
    expect((await stack.post(`${queue}/${a}/retry`, { requestedBy: 'lead' })).status).toBe(200);
    await stack.waitPosted(order, [a, b, c] as string[]);
    stack.erp.faults.clear();
    expect(
      (await stack.post(`${queue}/${d}/discard`, { requestedBy: 'lead', reason: 'posted by hand' })).status,
    ).toBe(200);
    await stack.waitPosted(order, [e, f] as string[]);
    const inErp = (operation: string) =>
      stack
        .erpLedger(order)
        .filter((conf) => conf.OrderOperation === operation)
        .map((conf) => conf.ExternalSystemConfirmation);
    expect(inErp('0010')).toEqual([a, b, c]);
    expect(inErp('0020')).toEqual([e, f]);
  });

  it('turns production counts into confirmations once, and dead-letters a count the order refuses', async () => {
    const order = await stack.acknowledgedOrder(500);
    const publisher = new EventPublisher(stack.connection);
    const count = (manufacturingOrder: string, goodCount: number) =>
      createEvent(
        Equipment.ProductionCountedV1Event,
        {
          equipmentId: 'M01',
          plant: stack.plant,
          manufacturingOrder,
          operation: '0010',
          goodCount,
          scrapCount: 1,
          unit: 'PC',
          periodStart: '2026-11-26T06:00:00Z',
          periodEnd: '2026-11-26T06:05:00Z',
        },
        { plant: stack.plant, source: '/test/edge-gateway' },
      );
    const first = count(order, 30);
    await publisher.publish(first);
    // The same event again under another message id: past the stream's duplicate window, as after a long outage.
    await publisher.publishRaw({
      ...toRawMessage(first),
      msgId: uniqueToken('m'),
    });
    await publisher.publish(count(order, 12));
    await publisher.publish(count('8888888', 5));
    await expectEventually(async () => {
      const confirmations = (await stack.get(`${stack.orderPath(order)}/confirmations`)).body as Array<{
        source: string;
        yieldQuantity: number;
        status: string;
      }>;
      // Counts add up whichever is accepted first: consumers handle messages concurrently.
      const byQuantity = confirmations.map((c) => [c.source, c.yieldQuantity, c.status]).sort();
      expect(byQuantity).toEqual([
        ['equipment-counts', 12, 'posted'],
        ['equipment-counts', 30, 'posted'],
      ]);
    });
    expect(
      stack
        .erpLedger(order)
        .map((c) => c.ConfirmationYieldQuantity)
        .sort(),
    ).toEqual(['12.000', '30.000']);
    const dead = await expectEventually(async () => {
      const letters = await readStream(
        stack.connection,
        'DLQ',
        `dlq.EQUIPMENT.production-order-sync--equipment-v1-${stack.plant}-production-counted`,
      );
      const mine = letters.filter((l) => l.body.includes('8888888'));
      expect(mine).toHaveLength(1);
      return mine[0];
    });
    expect(Object.values(dead.headers).join(' ')).toMatch(/production order 8888888 is not known/);
  });
});

describe('production-order-sync with a pool of ten database connections', () => {
  // Batches form when calls to ERP overlap; on the other suites' one connection the database steps
  // before each call run one at a time, so calls to a simulator that answers at once rarely do.
  const stack = new OrderSyncStack({ DB_POOL_SIZE: '10' });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());
  afterEach(() => stack.erp.faults.clear());

  it('posts confirmations of many operations together in $batch requests, each once, also when ERP drops answers', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, () => stack.acknowledgedOrder(1000)));
    const isBatch = (r: { method: string; path: string }) =>
      r.method === 'POST' && r.path.endsWith('/$batch');
    /** Four confirmations on each order at once; each must be in ERP exactly once. */
    const confirmAllAndWait = async () => {
      const accepted = await Promise.all(
        orders.map(async (order) => {
          const answers = await Promise.all(
            Array.from({ length: 4 }, () => stack.confirm(order, { yieldQuantity: 1 })),
          );
          return { order, ids: answers.map((a) => a.body.confirmationId as string) };
        }),
      );
      for (const { order, ids } of accepted) {
        await stack.waitPosted(order, ids);
        const perKey = countBy(stack.erpLedger(order), (c) => c.ExternalSystemConfirmation);
        expect(ids.map((id) => perKey.get(id))).toEqual(ids.map(() => 1));
      }
    };

    let from = stack.erp.requestLog().length;
    await confirmAllAndWait();
    expect(stack.erp.requestLog().slice(from).filter(isBatch).length).toBeGreaterThan(0);

    // Now ERP commits and drops every second answer, batches and single posts alike.
    stack.erp.faults.set({ dropResponseEvery: 2 });
    from = stack.erp.requestLog().length;
    await confirmAllAndWait();
    expect(
      stack.erp
        .requestLog()
        .slice(from)
        .filter((r) => r.status === 0).length,
    ).toBeGreaterThan(0);
  });
});

describe('production-order-sync when ERP commits a write after our client gave up on it', () => {
  const LATE_MS = 3000;
  const stack = new OrderSyncStack({ ERP_BATCH_SIZE: '1' });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  /** Confirms once; ERP drops the connection at once and commits the confirmation LATE_MS later. */
  async function confirmCommittedLate(): Promise<{ order: string; key: string }> {
    const order = await stack.acknowledgedOrder();
    stack.erp.faults.set({ lateCommit: { every: 1, afterMs: LATE_MS } });
    const key = (await stack.confirm(order, { yieldQuantity: 4 })).body.confirmationId as string;
    await expectEventually(async () => {
      const posting = (await stack.get(`/v1/plants/${stack.plant}/erp-postings/${key}`)).body;
      expect(posting.state).toBe('in-doubt');
    });
    stack.erp.faults.clear();
    return { order, key };
  }

  it('posts once with ERP_REQUEST_LIMIT_MS above the time ERP takes, twice with it too short', async () => {
    // SAP accepts a second confirmation with the same ExternalSystemConfirmation (the simulator
    // too, by default): only waiting out ERP's request limit before a resend keeps it single.
    await stack.restartService({ ERP_REQUEST_LIMIT_MS: String(LATE_MS + 2000) });
    const right = await confirmCommittedLate();
    await stack.waitPosted(right.order, [right.key]);
    await new Promise((resolve) => setTimeout(resolve, LATE_MS)); // nothing else may land later
    expect(stack.erpLedger(right.order).map((c) => c.ExternalSystemConfirmation)).toEqual([right.key]);

    await stack.restartService({ ERP_REQUEST_LIMIT_MS: '500' });
    const short = await confirmCommittedLate();
    await stack.waitPosted(short.order, [short.key]);
    await expectEventually(() =>
      expect(stack.erpLedger(short.order).map((c) => c.ExternalSystemConfirmation)).toEqual([
        short.key,
        short.key,
      ]),
    );
  });
});

describe('production-order-sync under more work than it can finish', () => {
  const stack = new OrderSyncStack({ ADMISSION_MAX_BACKLOG: '2', ADMISSION_RETRY_AFTER_S: '3' });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('tells the MES to come back (503, Retry-After) past its backlog; the same key is taken later', async () => {
    const order = await stack.acknowledgedOrder();
    stack.erp.faults.set({ outageMs: 60_000 });
    for (const yieldQuantity of [1, 2, 3])
      expect((await stack.confirm(order, { yieldQuantity })).status).toBe(202);
    // Three not in ERP, two allowed: refused once the backlog has been read (every second).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const refused = await stack.confirm(order, { yieldQuantity: 4 }, 'fourth');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.body.errors).toEqual([
      {
        field: '(service)',
        reason: 'overloaded: 3 accepted and not yet done (ADMISSION_MAX_BACKLOG 2)',
      },
    ]);
    // Reads and the exception queue are never refused.
    expect((await stack.get(stack.orderPath(order))).status).toBe(200);

    stack.erp.faults.clear();
    await expectEventually(
      async () => {
        const retried = await stack.confirm(order, { yieldQuantity: 4 }, 'fourth');
        expect(retried.status).toBe(202);
        expect(retried.headers.get('idempotent-replayed')).toBeNull(); // nothing was stored by the 503
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await expectEventually(() => expect(stack.erpLedger(order)).toHaveLength(4), { timeoutMs: 30_000 });
  });
});

describe('production-order-sync on a broker whose max_payload its confirmation events exceed', () => {
  let nats: NatsServerProcess;
  let stack: OrderSyncStack;
  beforeAll(async () => {
    // 800 bytes: an operation-confirmed event is about 900 with its headers, a DLQ reference 350.
    nats = await NatsServerProcess.start({ maxPayload: 800 });
    stack = new OrderSyncStack({ NATS_URL: nats.url });
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    await nats.destroy();
  });

  it('a posting whose event could not be published goes to the exception queue, retryable and discardable', async () => {
    const order = await stack.acknowledgedOrder();
    const accepted = await stack.confirm(order, { yieldQuantity: 3 });
    expect(accepted.status).toBe(202);
    const key = accepted.body.confirmationId as string;
    const queue = `/v1/plants/${stack.plant}/erp-postings`;
    await expectEventually(async () => {
      const failed = (await stack.get(queue)).body as Array<{ postingKey: string; lastError: string }>;
      expect(failed).toEqual([
        expect.objectContaining({
          postingKey: key,
          lastError: expect.stringMatching(/could not be published.*max_payload/),
        }),
      ]);
    });
    // A retry's own event is as large: it comes back to the queue, still within reach.
    expect((await stack.post(`${queue}/${key}/retry`, { requestedBy: 'lead' })).status).toBe(200);
    await expectEventually(async () => {
      const posting = (await stack.get(`${queue}/${key}`)).body as { state: string; lastError: string };
      expect(posting).toMatchObject({
        state: 'failed',
        lastError: expect.stringMatching(/retry-requested event could not be published/),
      });
    });
    expect(
      (await stack.post(`${queue}/${key}/discard`, { requestedBy: 'lead', reason: 'broker misconfigured' }))
        .status,
    ).toBe(200);
    expect(stack.erpLedger(order)).toEqual([]);
  });
});

describe('production-order-sync with a slow ERP and one in-flight slot for confirmations', () => {
  const CONFIRMATIONS = 'API_PROD_ORDER_CONFIRMATION_2_SRV';
  const stack = new OrderSyncStack({
    ERP_BATCH_SIZE: '1',
    ERP_MAX_IN_FLIGHT_BY_ENDPOINT: `${CONFIRMATIONS}=1`,
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("posts one confirmation at a time through the confirmation endpoint's slot and reports every endpoint's slots", async () => {
    const orders = await Promise.all(Array.from({ length: 4 }, () => stack.acknowledgedOrder()));
    const latencyMs = 400;
    stack.erp.faults.set({ latencyMs });
    const ids: string[] = [];
    for (const order of orders)
      ids.push((await stack.confirm(order, { yieldQuantity: 1 })).body.confirmationId);

    await expectEventually(async () => {
      const { endpoints } = (await stack.get(`/v1/plants/${stack.plant}/erp/status`)).body;
      expect(endpoints).toEqual([
        expect.objectContaining({ endpoint: 'API_PRODUCTION_ORDER_2_SRV', maxInFlight: 32 }),
        { endpoint: CONFIRMATIONS, maxInFlight: 1, inFlight: 1, waiting: expect.any(Number) },
      ]);
      expect(endpoints[1].waiting).toBeGreaterThan(0);
    });
    for (const [i, order] of orders.entries()) await stack.waitPosted(order, [ids[i]]);

    // The ERP simulator logs a request when it has answered: one slot means answers at least its latency apart.
    const answered = stack.erp
      .requestLog()
      .filter((r) => r.method === 'POST' && r.path.endsWith('/ProdnOrdConf2'))
      .map((r) => r.at);
    expect(answered).toHaveLength(orders.length);
    const gaps = answered.slice(1).map((at, i) => at - answered[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(latencyMs - 50);
  });
});
