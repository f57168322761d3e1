import { randomUUID } from 'node:crypto';
import { expectEventually } from '@plantbridge/testing';
import {
  DEFAULT_RESILIENCE,
  ErpBusinessError,
  ErpInDoubtError,
  ErpLockedError,
  ErpTransientError,
  type GoodsMovementPosting,
  type ResilienceSettings,
  SapErpAdapter,
} from '@plantbridge/erp';
import { ErpSimulator } from '../src';

describe('SAP adapter goods movements, stock and master data against the ERP simulator', () => {
  const simulator = new ErpSimulator();
  let url: string;
  beforeAll(async () => (url = await simulator.start()));
  afterAll(() => simulator.stop());
  afterEach(() => {
    simulator.faults.clear();
    simulator.store.materialDocuments.setPostingPeriod(undefined);
  });

  const adapter = (resilience: Partial<ResilienceSettings> = {}, pageSize?: number) =>
    new SapErpAdapter({
      baseUrl: url,
      timeoutMs: 2000,
      pageSize,
      resilience: { ...DEFAULT_RESILIENCE, initialDelayMs: 20, ...resilience },
    });

  let plants = 0;
  /** A plant of its own per test, with an order and its components, and some stock of RM-100. */
  function plantWithOrder(rm100 = 10) {
    const plant = `G${String(++plants).padStart(3, '0')}`;
    const order = simulator.store.releaseOrder({ plant, quantity: 10 }).ManufacturingOrder;
    simulator.store.setStock({ material: 'RM-100', plant, storageLocation: '0001', quantity: rm100 });
    const issue = (overrides: Partial<GoodsMovementPosting> = {}): GoodsMovementPosting => ({
      postingKey: randomUUID(),
      goodsMovementType: '261',
      material: 'RM-100',
      plant,
      storageLocation: '0001',
      quantity: 2,
      unit: 'PC',
      manufacturingOrder: order,
      postingDate: '2026-11-26T10:00:00.000Z',
      ...overrides,
    });
    return { plant, order, issue };
  }

  const documentsWithText = (postingKey: string) =>
    simulator.store.materialDocuments
      .items()
      .filter((i) => i.MaterialDocumentItemText === `PB:${postingKey}`);
  const posts = () => simulator.requestLog().filter((r) => r.method === 'POST').length;

  it("refuses a deficit as a business error with SAP's cause, not the gateway's wrapper, without retrying", async () => {
    const { plant, issue } = plantWithOrder(3);
    const before = posts();
    const error = await adapter()
      .postGoodsMovement(issue({ quantity: 8 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpBusinessError);
    expect(error).toMatchObject({
      sapCode: 'M7/021',
      status: 400,
      message: `Deficit of SL Unrestricted-use 5 PC : RM-100 ${plant} 0001`,
    });
    // One POST (and the CSRF fetch before it): a business refusal is not retried.
    expect(posts() - before).toBe(1);
  });

  it('refuses a posting into a closed period with M7 053', async () => {
    const { issue } = plantWithOrder();
    simulator.store.materialDocuments.setPostingPeriod('2027/01');
    await expect(adapter().postGoodsMovement(issue())).rejects.toMatchObject({
      constructor: ErpBusinessError,
      sapCode: 'M7/053',
      message: 'Posting only possible in periods 2027/01 and 2026/12 in company code 1000',
    });
  });

  it('treats a lock by another user (M3 897) as transient: retried, and handed back when it outlasts the attempts', async () => {
    const { issue } = plantWithOrder();
    simulator.faults.set({ materialLock: { material: 'RM-100', count: 1, user: 'JSMITH' } });
    const posting = issue();
    const posted = await adapter({ maxAttempts: 2 }).postGoodsMovement(posting);
    expect(documentsWithText(posting.postingKey)).toHaveLength(1);
    expect(posted.alreadyPosted).toBe(false);

    simulator.faults.set({ materialLock: { material: 'RM-100', count: 5, user: 'JSMITH' } });
    const error = await adapter({ maxAttempts: 2 })
      .postGoodsMovement(issue())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpLockedError);
    expect(error).toBeInstanceOf(ErpTransientError);
    expect(error).toMatchObject({
      sapCode: 'M3/897',
      message: expect.stringContaining('Plant data of material RM-100 is locked by user JSMITH'),
    });
  });

  it('posts the same posting twice as two documents, as SAP does; the lookup finds the first', async () => {
    const { issue } = plantWithOrder();
    const erp = adapter();
    const posting = issue();
    const first = await erp.postGoodsMovement(posting);
    const second = await erp.postGoodsMovement(posting);
    expect(second.materialDocument).not.toBe(first.materialDocument);
    expect(documentsWithText(posting.postingKey)).toHaveLength(2);
    expect(await erp.findGoodsMovement(posting.postingKey)).toEqual({ ...first, alreadyPosted: true });
    expect(await erp.findGoodsMovement(randomUUID())).toBeUndefined();
  });

  it('reports a posting whose answer was dropped as in doubt; the lookup then finds it, posted once', async () => {
    const { issue } = plantWithOrder();
    const erp = adapter();
    await erp.postGoodsMovement(issue()); // CSRF token in hand
    simulator.faults.set({ dropResponseEvery: 3 });
    const postings = [issue(), issue(), issue()];
    const settled = await Promise.allSettled(postings.map((p) => erp.postGoodsMovement(p)));
    // ERP drops every third answer: two answered, one in doubt, all three posted.
    expect(
      settled.filter((s) => s.status === 'rejected' && s.reason instanceof ErpInDoubtError),
    ).toHaveLength(1);
    simulator.faults.clear();
    for (const posting of postings) {
      expect(await erp.findGoodsMovement(posting.postingKey)).toMatchObject({ alreadyPosted: true });
      expect(documentsWithText(posting.postingKey)).toHaveLength(1);
    }
  });

  it('reports a posting SAP commits after the connection closed as in doubt; the lookup finds it once committed', async () => {
    const { issue } = plantWithOrder();
    const erp = adapter();
    await erp.postGoodsMovement(issue()); // CSRF token in hand
    simulator.faults.set({ lateCommit: { every: 1, afterMs: 300 } });
    const posting = issue();
    await expect(erp.postGoodsMovement(posting)).rejects.toBeInstanceOf(ErpInDoubtError);
    simulator.faults.clear();
    expect(await erp.findGoodsMovement(posting.postingKey)).toBeUndefined();
    await expectEventually(
      async () =>
        expect(await erp.findGoodsMovement(posting.postingKey)).toMatchObject({ alreadyPosted: true }),
      { timeoutMs: 3000, intervalMs: 50 },
    );
  });

  it("reverses an issue with CancelItem: the stock and the component's withdrawn quantity are back", async () => {
    const { plant, order, issue } = plantWithOrder(10);
    const erp = adapter();
    const [rm100] = await erp.listOrderComponents(order);
    const posted = await erp.postGoodsMovement(
      issue({ quantity: 4, reservation: rm100.reservation, reservationItem: rm100.reservationItem }),
    );
    expect(await erp.listStock(plant, ['RM-100'])).toEqual([expect.objectContaining({ quantity: 6 })]);
    expect((await erp.listOrderComponents(order))[0].withdrawnQuantity).toBe(4);

    const reversalKey = randomUUID();
    const reversal = await erp.reverseGoodsMovement({ postingKey: reversalKey, original: posted });
    expect(reversal).toMatchObject({
      postingKey: reversalKey,
      alreadyPosted: false,
      materialDocumentItem: '0001',
    });
    expect(reversal.materialDocument).not.toBe(posted.materialDocument);
    expect(await erp.listStock(plant, ['RM-100'])).toEqual([
      {
        material: 'RM-100',
        plant,
        storageLocation: '0001',
        batch: '',
        stockType: 'unrestricted',
        quantity: 10,
        unit: 'PC',
      },
    ]);
    expect((await erp.listOrderComponents(order))[0].withdrawnQuantity).toBe(0);
    expect(await erp.findReversal(reversalKey, posted)).toEqual({ ...reversal, alreadyPosted: true });
    // Posted is posted: the lookup by key still finds the reversed original, not its reversal.
    expect(await erp.findGoodsMovement(posted.postingKey)).toEqual({ ...posted, alreadyPosted: true });
    await expect(
      erp.reverseGoodsMovement({ postingKey: randomUUID(), original: posted }),
    ).rejects.toMatchObject({
      constructor: ErpBusinessError,
      message: expect.stringMatching(/already been reversed/),
    });
  });

  it('finds the posting, not its reversal, even when the reversal carries its text and sorts first', async () => {
    const { issue } = plantWithOrder();
    const erp = adapter();
    // Posted in January, reversed back-dated into December: the reversal's document year comes first.
    const posted = await erp.postGoodsMovement(issue({ postingDate: '2027-01-05T10:00:00.000Z' }));
    const reversal = await erp.reverseGoodsMovement({
      postingKey: randomUUID(),
      original: posted,
      postingDate: '2026-12-31T10:00:00.000Z',
    });
    expect([posted.materialDocumentYear, reversal.materialDocumentYear]).toEqual(['2027', '2026']);
    expect(documentsWithText(posted.postingKey)).toHaveLength(2);
    expect(await erp.findGoodsMovement(posted.postingKey)).toEqual({ ...posted, alreadyPosted: true });
  });

  it('refuses a posting SAP could not take before sending it', async () => {
    const { issue } = plantWithOrder();
    const before = simulator.requestLog().length;
    await expect(adapter().postGoodsMovement(issue({ postingKey: 'issue-1' }))).rejects.toMatchObject({
      constructor: ErpBusinessError,
      sapCode: 'PLANTBRIDGE/KEY',
    });
    await expect(adapter().postGoodsMovement(issue({ manufacturingOrder: undefined }))).rejects.toMatchObject(
      {
        constructor: ErpBusinessError,
        sapCode: 'PLANTBRIDGE/POSTING',
        message: 'movement type 261 needs the production order',
      },
    );
    await expect(
      adapter().reverseGoodsMovement({
        postingKey: 'reversal-1',
        original: {
          materialDocument: '4900000001',
          materialDocumentYear: '2026',
          materialDocumentItem: '0001',
        },
      }),
    ).rejects.toMatchObject({ sapCode: 'PLANTBRIDGE/KEY' });
    expect(simulator.requestLog().length).toBe(before);
  });

  it("receives a product to the order's stock, to quality inspection when it posts there", async () => {
    const { plant, issue } = plantWithOrder();
    simulator.store.materials.define({ material: 'FG-1000', plant, postsToInspectionStock: true });
    const receipt = issue({
      goodsMovementType: '101',
      material: 'FG-1000',
      storageLocation: 'FG01',
      quantity: 7,
    });
    await adapter().postGoodsMovement(receipt);
    expect(await adapter().listStock(plant, ['FG-1000'])).toEqual([
      expect.objectContaining({ storageLocation: 'FG01', stockType: 'quality-inspection', quantity: 7 }),
    ]);
  });

  it("lists a plant's stock page by page and in groups of materials, and reads materials and components", async () => {
    const { plant, order } = plantWithOrder(5);
    for (const storageLocation of ['0001', '0002', 'FG01'])
      simulator.store.setStock({ material: 'RM-200', plant, storageLocation, batch: 'B7', quantity: 1.25 });
    simulator.store.setStock({
      material: 'RM-200',
      plant,
      storageLocation: '0001',
      batch: 'B8',
      stockType: 'blocked',
      quantity: 3,
    });
    const erp = adapter({}, 2);
    const all = await erp.listStock(plant);
    expect(all).toHaveLength(5);
    expect(all).toContainEqual(
      expect.objectContaining({ batch: 'B8', stockType: 'blocked', quantity: 3, unit: 'KG' }),
    );
    const many = Array.from({ length: 45 }, (_, i) => `X-${i}`);
    expect(await erp.listStock(plant, [...many, 'RM-100'])).toEqual([
      expect.objectContaining({ material: 'RM-100', quantity: 5 }),
    ]);
    expect(await erp.listStock(plant, [])).toEqual([]);

    expect(await erp.getMaterial('RM-200', plant)).toEqual({
      material: 'RM-200',
      plant,
      baseUnit: 'KG',
      batchManaged: true,
      postsToInspectionStock: false,
      storageLocations: ['0001', '0002', 'FG01'],
    });
    expect(await erp.getMaterial('RM-999', plant)).toBeUndefined();
    expect(await erp.listOrderComponents(order)).toEqual([
      expect.objectContaining({
        material: 'RM-100',
        operation: '0010',
        requiredQuantity: 20,
        backflush: true,
        unit: 'PC',
      }),
      expect.objectContaining({
        material: 'RM-200',
        operation: '0020',
        requiredQuantity: 5,
        backflush: false,
        unit: 'KG',
      }),
    ]);
    expect(await erp.listOrderComponents('9999999')).toEqual([]);
  });

  it('serves its inventory control API: materials, stock, the material document ledger, posting periods, the lock', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${url}/__sim${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(
      await control('POST', '/materials', {
        material: 'PK-10',
        plant: 'CTL1',
        baseUnit: 'EA',
        storageLocations: ['0005'],
      }),
    ).toMatchObject({ status: 201, body: { material: 'PK-10', baseUnit: 'EA', batchManaged: false } });
    expect(
      await control('PUT', '/stock', {
        material: 'PK-10',
        plant: 'CTL1',
        storageLocation: '0005',
        quantity: 12,
      }),
    ).toEqual({
      status: 200,
      body: {
        positions: [
          {
            material: 'PK-10',
            plant: 'CTL1',
            storageLocation: '0005',
            batch: '',
            stockType: 'unrestricted',
            quantity: 12,
            unit: 'EA',
          },
        ],
      },
    });
    expect(
      (
        await control('PUT', '/stock', {
          material: 'NOPE',
          plant: 'CTL1',
          storageLocation: '0005',
          quantity: 1,
        })
      ).status,
    ).toBe(400);
    expect(await control('GET', '/stock?plant=CTL1')).toMatchObject({
      body: { positions: [{ material: 'PK-10', quantity: 12 }] },
    });
    const erp = adapter();
    const posting: GoodsMovementPosting = {
      postingKey: randomUUID(),
      goodsMovementType: '551',
      material: 'PK-10',
      plant: 'CTL1',
      storageLocation: '0005',
      quantity: 2,
      unit: 'EA',
      reasonCode: '0003',
      postingDate: '2026-11-26T10:00:00.000Z',
    };
    await erp.postGoodsMovement(posting);
    const ledger = await control('GET', '/material-documents');
    expect(ledger.body.documents).toContainEqual(
      expect.objectContaining({
        MaterialDocumentHeaderText: 'Plantbridge',
        to_MaterialDocumentItem: {
          results: [
            expect.objectContaining({
              MaterialDocumentItemText: `PB:${posting.postingKey}`,
              GoodsMovementReasonCode: '0003',
            }),
          ],
        },
      }),
    );
    expect(await control('PUT', '/posting-period', { current: '2027/02' })).toEqual({
      status: 200,
      body: { current: '2027/02' },
    });
    await expect(erp.postGoodsMovement({ ...posting, postingKey: randomUUID() })).rejects.toMatchObject({
      sapCode: 'M7/053',
    });
    expect(await control('DELETE', '/posting-period')).toEqual({ status: 200, body: { current: null } });
    await control('PUT', '/faults', { materialLock: { material: 'PK-10', count: 3 } });
    await expect(
      adapter({ maxAttempts: 1 }).postGoodsMovement({ ...posting, postingKey: randomUUID() }),
    ).rejects.toBeInstanceOf(ErpLockedError);
    await control('DELETE', '/faults');
    expect((await control('GET', '/stock?plant=CTL1&material=PK-10')).body.positions).toEqual([
      expect.objectContaining({ quantity: 10 }),
    ]);
  });
});
