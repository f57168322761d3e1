import { createEvent, Production } from '@plantbridge/canonical-model';
import { EventPublisher } from '@plantbridge/messaging';
import { expectEventually, type Json } from '@plantbridge/testing';
import { InventoryStack } from './inventory-stack';

jest.setTimeout(180_000);

const at = '2026-11-26T08:00:00.000Z';

/** The default order (FG-1000, 100 PC) with its components RM-100 (2 PC each) and RM-200 (0.5 KG each, batches). */
function issue(order: string, quantity: number, extra: Record<string, unknown> = {}) {
  return {
    movementType: '261',
    material: 'RM-100',
    quantity,
    unit: 'PC',
    storageLocation: '0001',
    manufacturingOrder: order,
    occurredAt: at,
    ...extra,
  };
}

describe('inventory-movement: goods movements posted to ERP exactly once', () => {
  const stack = new InventoryStack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());
  afterEach(() => stack.erp.faults.clear());

  it("posts each kind of movement once, with the fields SAP expects, and a reversal undoes it in ERP's stock", async () => {
    const order = stack.releaseOrder({ quantity: 100 });
    stack.setErpStock('RM-100', '0001', 500);
    stack.setErpStock('RM-200', '0001', 100, 'B7');
    const posts = await Promise.all([
      stack.move(issue(order, 40)),
      stack.move(issue(order, 10, { material: 'RM-200', unit: 'KG', batch: 'B7' })),
      stack.move({
        movementType: '101',
        material: 'FG-1000',
        quantity: 20,
        unit: 'PC',
        storageLocation: 'FG01',
        manufacturingOrder: order,
        occurredAt: at,
      }),
      stack.move({
        movementType: '311',
        material: 'RM-100',
        quantity: 30,
        unit: 'PC',
        storageLocation: '0001',
        receivingStorageLocation: '0002',
        occurredAt: at,
      }),
      stack.move({
        movementType: '551',
        material: 'RM-100',
        quantity: 5,
        unit: 'PC',
        storageLocation: '0001',
        reasonCode: '0001',
        occurredAt: at,
      }),
    ]);
    expect(posts.map((p) => p.status)).toEqual([202, 202, 202, 202, 202]);
    expect(posts[0].headers.get('location')).toBe(`${stack.movementsPath}/${posts[0].body.movementId}`);
    const ids = posts.map((p) => p.body.movementId as string);
    const views = await stack.waitStatus(ids, 'posted');
    for (const view of views) {
      expect(view.materialDocument).toEqual({
        materialDocument: expect.stringMatching(/^49\d{8}$/),
        materialDocumentYear: '2026',
        materialDocumentItem: '0001',
      });
    }
    const items = ids.map((id) => stack.erpItemsOf(id));
    expect(items.map((i) => i.length)).toEqual([1, 1, 1, 1, 1]);
    const [issued, batchIssued, received, transferred, scrapped] = items.map((i) => i[0]);
    expect(issued).toMatchObject({
      GoodsMovementType: '261',
      ManufacturingOrder: order,
      // No movement indicator on an issue: F is a receipt's (the 101 below).
      GoodsMovementRefDocType: '',
      Reservation: expect.any(String),
      ReservationItem: '0001',
      QuantityInEntryUnit: '40.000',
      EntryUnit: 'PC',
      StorageLocation: '0001',
    });
    expect(batchIssued).toMatchObject({ GoodsMovementType: '261', Batch: 'B7', ReservationItem: '0002' });
    expect(received).toMatchObject({
      GoodsMovementType: '101',
      ManufacturingOrder: order,
      GoodsMovementRefDocType: 'F',
      StorageLocation: 'FG01',
    });
    expect(transferred).toMatchObject({
      GoodsMovementType: '311',
      StorageLocation: '0001',
      IssuingOrReceivingStorageLoc: '0002',
    });
    expect(scrapped).toMatchObject({ GoodsMovementType: '551', GoodsMovementReasonCode: '0001' });
    const codes = stack.erp.store.materialDocuments
      .documents()
      .filter((d) => d.items[0].Plant === stack.plant)
      .map((d) => [d.items[0].GoodsMovementType, d.header.GoodsMovementCode]);
    expect(new Map(codes as Array<[string, string]>)).toEqual(
      new Map([
        ['261', '03'],
        ['101', '02'],
        ['311', '04'],
        ['551', '03'],
      ]),
    );
    expect(stack.erpStock('RM-100', '0001')).toBe(500 - 40 - 30 - 5);
    expect(stack.erpStock('RM-100', '0002')).toBe(30);
    expect(stack.erpStock('FG-1000', 'FG01')).toBe(20);
    expect(stack.erp.store.componentsOf(order)[0].WithdrawnQuantity).toBe('40.000');

    // What the MES or WMS sees of the order's components: required, issued, open.
    const staging = (await stack.get(`/v1/plants/${stack.plant}/order-components/${order}`)).body;
    expect(staging).toMatchObject({ material: 'FG-1000', totalQuantity: 100 });
    expect(
      staging.components.map((c: Json) => [c.material, c.requiredQuantity, c.issued, c.openQuantity]),
    ).toEqual([
      ['RM-100', 200, 40, 160],
      ['RM-200', 50, 10, 40],
    ]);

    // The reversal of the issue: its own movement, posted with CancelItem, and the stock is back.
    const reversal = await stack.http.post(`${stack.movementsPath}/${ids[0]}/reversal`, {});
    expect(reversal.status).toBe(202);
    expect(reversal.body).toMatchObject({
      goodsMovementType: '262',
      reversesMovementId: ids[0],
      status: 'accepted',
    });
    await stack.waitStatus([reversal.body.movementId], 'posted');
    expect(stack.erpStock('RM-100', '0001')).toBe(500 - 30 - 5);
    expect(stack.erp.store.componentsOf(order)[0].WithdrawnQuantity).toBe('0.000');
    expect((await stack.get(`${stack.movementsPath}/${ids[0]}`)).body.reversedByMovementId).toBe(
      reversal.body.movementId,
    );
    // Reversed once only.
    const again = await stack.http.post(`${stack.movementsPath}/${ids[0]}/reversal`, {});
    expect(again).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('reversed already') },
    });

    // The projection follows what ERP posted, and the list filters.
    const stock = (await stack.get(`/v1/plants/${stack.plant}/stock?material=RM-100`)).body;
    expect(stock.map((p: Json) => [p.storageLocation, p.quantity])).toEqual([
      ['0001', -35],
      ['0002', 30],
    ]);
    const byOrder = (await stack.get(`${stack.movementsPath}?order=${order}&status=posted`)).body;
    expect(byOrder.map((m: Json) => m.movementId).sort()).toEqual(
      [ids[0], ids[1], ids[2], reversal.body.movementId].sort(),
    );
    const events = await stack.inventoryEvents();
    const posted = events.filter((e) => e.type === 'plantbridge.inventory.material-movement-posted.v1');
    expect(new Set(posted.map((e) => (e.data as Json).movementKey))).toEqual(
      new Set([...ids, reversal.body.movementId]),
    );
  });

  it('refuses before 202 what the order or the material master refuses, naming the field and the rule', async () => {
    const order = stack.releaseOrder({ quantity: 10 });
    const refused = async (body: Record<string, unknown>) => {
      const { status, body: answer } = await stack.move(body);
      return [status, answer.message as string];
    };
    expect(await refused(issue('9999999', 1))).toEqual([
      404,
      expect.stringContaining('order 9999999 is not known in ERP'),
    ]);
    expect(await refused(issue(order, 0))).toEqual([
      400,
      expect.stringContaining('quantity: quantity must be more than 0'),
    ]);
    expect(await refused(issue(order, 1, { manufacturingOrder: undefined }))).toEqual([
      400,
      'manufacturingOrder: is required for movement type 261',
    ]);
    expect(await refused(issue(order, 1, { material: 'FG-1000' }))).toEqual([
      422,
      expect.stringMatching(/^material: FG-1000 is not a component of order/),
    ]);
    expect(await refused({ ...issue(order, 1), movementType: '101' })).toEqual([
      422,
      expect.stringMatching(/^material: RM-100 is not the output of order .* \(it makes FG-1000\)/),
    ]);
    // 2 PC per piece of 10 pieces, +10 %: 22 at most.
    expect(await refused(issue(order, 22.5))).toEqual([
      422,
      expect.stringMatching(/^quantity: component RM-100 .* 22 PC still open/),
    ]);
    expect(await refused(issue(order, 1, { unit: 'KG' }))).toEqual([
      422,
      expect.stringMatching(/^unit: KG is not the base unit of material RM-100 \(PC\)/),
    ]);
    expect(await refused(issue(order, 1, { material: 'RM-200', unit: 'KG' }))).toEqual([
      422,
      expect.stringMatching(/^batch: material RM-200 is batch-managed/),
    ]);
    expect(await refused(issue(order, 1, { material: 'RM-200', unit: 'KG', batch: 'b1' }))).toEqual([
      400,
      'batch: batch must be upper case, as SAP keeps batches',
    ]);
    expect(
      await refused({
        movementType: '551',
        material: 'RM-100',
        quantity: 1,
        unit: 'PC',
        storageLocation: '0001',
        reasonCode: 'DMG',
      }),
    ).toEqual([400, "reasonCode: reasonCode must be SAP's reason code: 1 to 4 digits"]);
    expect(await refused(issue(order, 1, { storageLocation: '9999' }))).toEqual([
      422,
      expect.stringMatching(/^storageLocation: 9999 is not a storage location of material RM-100/),
    ]);
    stack.erp.store.setClosed(order, true);
    await stack.sql('UPDATE erp_order SET fetched_at = $1', ['2000-01-01T00:00:00.000Z']);
    expect(await refused(issue(order, 1))).toEqual([409, expect.stringContaining('is closed in ERP')]);
    // Nothing reached ERP.
    expect(stack.erpItems().filter((i) => i.ManufacturingOrder === order)).toEqual([]);
  });

  it('answers a replayed Idempotency-Key with the first response and refuses the key for another body', async () => {
    const order = stack.releaseOrder();
    stack.setErpStock('RM-100', '0001', 50);
    const first = await stack.move(issue(order, 1), 'replay-1');
    const replay = await stack.move(issue(order, 1), 'replay-1');
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.movementId).toBe(first.body.movementId);
    expect((await stack.move(issue(order, 2), 'replay-1')).status).toBe(409);
    await stack.waitStatus([first.body.movementId], 'posted');
    expect(stack.erpItemsOf(first.body.movementId)).toHaveLength(1);
  });

  it('with every third ERP answer lost, posts no material document twice (the lookup by item text does it)', async () => {
    const order = stack.releaseOrder({ quantity: 1000 });
    stack.setErpStock('RM-100', '0001', 10_000);
    stack.erp.faults.set({ dropResponseEvery: 3 });
    const posts = [];
    for (let i = 0; i < 24; i++) posts.push(await stack.move(issue(order, 1 + (i % 3))));
    const ids = posts.map((p) => p.body.movementId as string);
    await stack.waitStatus(ids, 'posted', 60_000);
    expect(ids.map((id) => stack.erpItemsOf(id).length)).toEqual(ids.map(() => 1));
    expect(stack.erpStock('RM-100', '0001')).toBe(
      10_000 - posts.reduce((sum, p) => sum + (p.body.quantity as number), 0),
    );
  });

  it("sends an issue beyond the stock to the exception queue with SAP's M7 021 text; after a receipt a retry posts it once", async () => {
    const order = stack.releaseOrder({ quantity: 100 });
    stack.setErpStock('RM-100', '0001', 5);
    const short = await stack.move(issue(order, 8));
    const [failed] = await stack.waitStatus([short.body.movementId], 'failed');
    expect(failed).toMatchObject({
      erpCode: 'M7/021',
      failureReason: expect.stringMatching(/^Deficit of SL Unrestricted-use 3 PC : RM-100 \w+ 0001$/),
    });
    const queue = (await stack.get(`/v1/plants/${stack.plant}/erp-postings?state=failed`)).body;
    expect(queue).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ postingKey: short.body.movementId, erpCode: 'M7/021' }),
      ]),
    );
    // The stock arrives: RM-100 made by an order of its own and received; the failed issue holds nothing back.
    const making = stack.releaseOrder({ material: 'RM-100', quantity: 10, components: [] });
    const receipt = await stack.move({
      movementType: '101',
      material: 'RM-100',
      quantity: 10,
      unit: 'PC',
      storageLocation: '0001',
      manufacturingOrder: making,
      occurredAt: at,
    });
    await stack.waitStatus([receipt.body.movementId], 'posted');
    const retry = await stack.http.post(
      `/v1/plants/${stack.plant}/erp-postings/${short.body.movementId}/retry`,
      { reason: 'stock received' },
    );
    expect(retry.status).toBe(200);
    await stack.waitStatus([short.body.movementId], 'posted');
    expect(stack.erpItemsOf(short.body.movementId)).toHaveLength(1);
    expect(stack.erpStock('RM-100', '0001')).toBe(5 + 10 - 8);
    const rejected = (await stack.inventoryEvents()).filter(
      (e) =>
        e.type === 'plantbridge.inventory.material-movement-rejected.v1' &&
        (e.data as Json).movementKey === short.body.movementId,
    );
    expect(rejected).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ reasonCode: 'M7/021' }) }),
    ]);
  });

  it('with ERP down for a minute, accepts every movement at once and posts each once after recovery', async () => {
    const order = stack.releaseOrder({ quantity: 1000 });
    stack.setErpStock('RM-100', '0001', 1000);
    // The order and materials are read while ERP answers; the outage then refuses every ERP call.
    const first = await stack.move(issue(order, 1));
    await stack.waitStatus([first.body.movementId], 'posted');
    stack.erp.faults.set({ outageMs: 60_000 });
    const started = Date.now();
    const posts = [];
    for (let i = 0; i < 30; i++) posts.push(await stack.move(issue(order, 2)));
    expect(posts.map((p) => p.status)).toEqual(posts.map(() => 202));
    expect(Math.max(...posts.map((p) => p.ms))).toBeLessThan(5000);
    expect(Date.now() - started).toBeLessThan(55_000);
    const ids = posts.map((p) => p.body.movementId as string);
    expect((await stack.get(`${stack.movementsPath}/${ids[0]}`)).body.status).not.toBe('posted');
    await stack.waitStatus(ids, 'posted', 120_000);
    expect(ids.map((id) => stack.erpItemsOf(id).length)).toEqual(ids.map(() => 1));
    expect(stack.erpStock('RM-100', '0001')).toBe(1000 - 1 - 60);
  });

  it('killed with -9 while posting, loses and doubles nothing', async () => {
    const order = stack.releaseOrder({ quantity: 1000 });
    stack.setErpStock('RM-100', '0001', 1000);
    stack.erp.faults.set({ latencyMs: 150 });
    const posts = [];
    for (let i = 0; i < 30; i++) posts.push(await stack.move(issue(order, 1)));
    await expectEventually(
      async () =>
        expect(stack.erpItems().filter((i) => i.ManufacturingOrder === order).length).toBeGreaterThan(3),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    stack.service?.child.kill('SIGKILL');
    await new Promise((resolve) => stack.service?.child.once('exit', resolve));
    await stack.startService();
    const ids = posts.map((p) => p.body.movementId as string);
    await stack.waitStatus(ids, 'posted', 90_000);
    expect(ids.map((id) => stack.erpItemsOf(id).length)).toEqual(ids.map(() => 1));
    expect(stack.erpStock('RM-100', '0001')).toBe(1000 - 30);
  });
});

describe('inventory-movement: reversals', () => {
  // Connections enough for requests to race: with one, transactions take turns anyway.
  const stack = new InventoryStack({ DB_POOL_SIZE: '4' });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('takes one of two reversal requests racing with different keys, and the other is a 409, not a 500', async () => {
    const order = stack.releaseOrder();
    stack.setErpStock('RM-100', '0001', 100);
    const moved = await stack.move(issue(order, 3));
    await stack.waitStatus([moved.body.movementId], 'posted');
    const path = `${stack.movementsPath}/${moved.body.movementId}/reversal`;
    const answers = await Promise.all([1, 2, 3].map(() => stack.http.post(path, {})));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409]);
    await stack.waitStatus([answers.find((a) => a.status === 202)?.body.movementId], 'posted');
    expect(stack.erpStock('RM-100', '0001')).toBe(100);
  });

  it('after a reversal ERP refused is discarded, the movement can be reversed again', async () => {
    const order = stack.releaseOrder();
    stack.setErpStock('RM-100', '0001', 100);
    const moved = await stack.move(issue(order, 4));
    await stack.waitStatus([moved.body.movementId], 'posted');
    // A closed period refuses the reversal (M7 053); the operator discards it and asks again.
    stack.erp.store.materialDocuments.setPostingPeriod('2001/02');
    const path = `${stack.movementsPath}/${moved.body.movementId}/reversal`;
    const refused = await stack.http.post(path, {});
    const [failed] = await stack.waitStatus([refused.body.movementId], 'failed');
    expect(failed.erpCode).toBe('M7/053');
    expect((await stack.http.post(path, {})).status).toBe(409);
    stack.erp.store.materialDocuments.setPostingPeriod(undefined);
    const discard = await stack.http.post(
      `/v1/plants/${stack.plant}/erp-postings/${refused.body.movementId}/discard`,
      {
        reason: 'period was closed; reversed again',
      },
    );
    expect(discard.status).toBe(200);
    const again = await stack.http.post(path, {});
    expect(again.status).toBe(202);
    await stack.waitStatus([again.body.movementId], 'posted');
    expect(stack.erpStock('RM-100', '0001')).toBe(100);
    expect(
      (await stack.get(`${stack.movementsPath}/${moved.body.movementId}`)).body.reversedByMovementId,
    ).toBe(again.body.movementId);
  });
});

describe('inventory-movement: automatic goods receipt and backflush from posted confirmations', () => {
  const stack = new InventoryStack({ AUTO_GOODS_RECEIPT: 'true', AUTO_BACKFLUSH: 'true' });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  const confirmed = (
    order: string,
    key: string,
    operation: string,
    yieldQuantity: number,
    scrapQuantity = 0,
  ) =>
    createEvent(
      Production.OperationConfirmedV1Event,
      {
        confirmationKey: key,
        manufacturingOrder: order,
        operation,
        plant: stack.plant,
        yieldQuantity,
        scrapQuantity,
        reworkQuantity: 0,
        unit: 'PC',
        finalConfirmation: false,
        executionStart: at,
        executionEnd: at,
      },
      { plant: stack.plant, source: '/test/production-order-sync' },
    );
  const posted = (order: string, key: string, operation: string) =>
    createEvent(
      Production.ConfirmationPostedV1Event,
      {
        confirmationKey: key,
        manufacturingOrder: order,
        operation,
        plant: stack.plant,
        confirmationGroup: '0000000001',
        confirmationCount: '00000001',
        postedAt: at,
      },
      { plant: stack.plant, source: '/test/production-order-sync' },
    );

  it('receives the yield and backflushes the components of each posted confirmation once, however often it arrives', async () => {
    const order = stack.releaseOrder({ quantity: 100 });
    stack.setErpStock('RM-100', '0001', 1000);
    const publisher = new EventPublisher(stack.connection);
    // Operation 0010 backflushes RM-100 (2 per piece): 20 + 5 scrap → 50 PC. The posted event first:
    // it waits for its confirmation.
    await publisher.publish(posted(order, 'conf-a', '0010'));
    await publisher.publish(confirmed(order, 'conf-a', '0010', 20, 5));
    // The last operation (0020) receives its yield; RM-200 at 0020 is not backflushed.
    await publisher.publish(confirmed(order, 'conf-b', '0020', 20));
    await publisher.publish(posted(order, 'conf-b', '0020'));
    // A confirmation from before automatic movements were switched on moves nothing.
    const old = new Date(Date.now() - 3600_000).toISOString();
    await publisher.publish({ ...confirmed(order, 'conf-old', '0020', 30), time: old });
    await publisher.publish({ ...posted(order, 'conf-old', '0020'), time: old });
    // A replay of both (new event ids, as a re-published confirmation would have) moves nothing more.
    await publisher.publish(posted(order, 'conf-a', '0010'));
    await publisher.publish(posted(order, 'conf-b', '0020'));
    await expectEventually(
      async () => {
        expect(stack.erpStock('RM-100', '0001')).toBe(950);
        expect(stack.erpStock('FG-1000', 'FG01')).toBe(20);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const movements = (await stack.get(`${stack.movementsPath}?order=${order}`)).body;
    expect(
      movements
        .map((m: Json) => [m.goodsMovementType, m.material, m.quantity, m.source, m.confirmationKey])
        .sort(),
    ).toEqual([
      ['101', 'FG-1000', 20, 'confirmation', 'conf-b'],
      ['261', 'RM-100', 50, 'confirmation', 'conf-a'],
    ]);
    // Quiet for a while: the replays made nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stack.erpItems().filter((i) => i.ManufacturingOrder === order)).toHaveLength(2);
  });
});

describe('inventory-movement: the stock projection and its reconciliation with ERP', () => {
  const stack = new InventoryStack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("opens positions from ERP's stock, then reports a difference without correcting ERP", async () => {
    const order = stack.releaseOrder();
    stack.setErpStock('RM-100', '0001', 100);
    const moved = await stack.move(issue(order, 10));
    await stack.waitStatus([moved.body.movementId], 'posted');
    const reconcile = () => stack.http.post(`/v1/plants/${stack.plant}/stock/reconciliations`, {});
    const first = await reconcile();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ positionsOpened: 1, discrepancies: [] });
    const stock = (await stack.get(`/v1/plants/${stack.plant}/stock?material=RM-100`)).body;
    expect(stock).toEqual([
      expect.objectContaining({ storageLocation: '0001', quantity: 90, openedAt: expect.any(String) }),
    ]);
    // Someone posts in ERP by hand: 7 PC less than the plant's movements make it.
    stack.setErpStock('RM-100', '0001', 83);
    const second = await reconcile();
    expect(second.body).toMatchObject({
      positionsCompared: 1,
      discrepancies: [
        {
          material: 'RM-100',
          storageLocation: '0001',
          projectedQuantity: 90,
          erpQuantity: 83,
          difference: -7,
          unit: 'PC',
        },
      ],
    });
    expect(stack.erpStock('RM-100', '0001')).toBe(83);
    await expectEventually(
      async () => {
        const events = (await stack.inventoryEvents()).filter(
          (e) => e.type === 'plantbridge.inventory.stock-discrepancy-found.v1',
        );
        expect(events).toEqual([
          expect.objectContaining({
            data: expect.objectContaining({ reconciliationId: second.body.id, difference: -7 }),
          }),
        ]);
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    // The difference stands: the next run reports it again, and announces nothing new.
    const third = await reconcile();
    expect(third.body.discrepancies).toEqual(second.body.discrepancies);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const announced = (await stack.inventoryEvents()).filter(
      (e) => e.type === 'plantbridge.inventory.stock-discrepancy-found.v1',
    );
    expect(announced).toHaveLength(1);
    const report = (await stack.get(`/v1/plants/${stack.plant}/stock/reconciliations`)).body;
    expect(report[0]).toMatchObject({
      id: third.body.id,
      discrepancies: [expect.objectContaining({ difference: -7 })],
    });
    const metrics = await (
      await fetch(`${stack.http.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${stack.http.token}` },
      })
    ).text();
    expect(metrics).toMatch(/^plantbridge_stock_discrepancies 1$/m);
  });
});
