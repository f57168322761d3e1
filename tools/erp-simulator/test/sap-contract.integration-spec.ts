import { randomUUID } from 'node:crypto';
import { ErpSimulator } from '../src';
import {
  type ConfirmationPosting,
  DEFAULT_RESILIENCE,
  type GoodsMovementPosting,
  SapErpAdapter,
} from '@plantbridge/erp';

/**
 * The contract test: every call the SAP adapter makes, against a simulator that holds each request to
 * the project's metadata documents of SAP's services (written from SAP's `$metadata`) and refuses
 * what does not fit, as SAP Gateway does. A new adapter call belongs here.
 */
describe("the SAP adapter's every call fits SAP's service metadata", () => {
  const simulator = new ErpSimulator();
  let url: string;
  beforeAll(async () => (url = await simulator.start()));
  afterAll(() => simulator.stop());

  const posting = (order: string, overrides: Partial<ConfirmationPosting> = {}): ConfirmationPosting => ({
    externalKey: randomUUID(),
    manufacturingOrder: order,
    operation: '0010',
    yieldQuantity: 12.5,
    scrapQuantity: 0.125,
    reworkQuantity: 0,
    unit: 'PC',
    finalConfirmation: false,
    executionStart: '2026-11-26T06:00:00.000Z',
    executionEnd: '2026-11-26T07:45:00.000Z',
    ...overrides,
  });

  it('lists, reads, posts alone and in $batch, looks up and cancels without a contract violation', async () => {
    const erp = new SapErpAdapter({
      baseUrl: url,
      timeoutMs: 2000,
      batchSize: 10,
      resilience: DEFAULT_RESILIENCE,
      timeZone: 'Europe/Berlin',
    });
    const order = simulator.store.releaseOrder({ plant: 'CT01', operations: 2 }).ManufacturingOrder;
    expect(await erp.listReleasedOrders('CT01', new Date(Date.now() - 60_000).toISOString())).toHaveLength(1);
    expect(await erp.getOrder(order)).toMatchObject({ manufacturingOrder: order });

    const single = await erp.postConfirmation(posting(order, { postingDate: '2026-11-27T00:30:00.000Z' }));
    const together = await Promise.all(
      [1, 2, 3].map((i) =>
        erp.postConfirmation(posting(order, { yieldQuantity: i, finalConfirmation: i === 3 })),
      ),
    );
    expect(simulator.requestLog().some((r) => r.path.endsWith('/$batch'))).toBe(true);
    expect(await erp.findConfirmation(together[0].externalKey)).toMatchObject({ alreadyPosted: true });
    await erp.cancelConfirmation(single.confirmationGroup, single.confirmationCount);

    expect(simulator.contractViolations()).toEqual([]);
  });

  it('posts 101, 261, 311 and 551, finds, reverses and finds the reversal, reads stock, materials and components without a contract violation', async () => {
    const erp = new SapErpAdapter({
      baseUrl: url,
      timeoutMs: 2000,
      resilience: DEFAULT_RESILIENCE,
      timeZone: 'Europe/Berlin',
    });
    const order = simulator.store.releaseOrder({ plant: 'CT03' }).ManufacturingOrder;
    const [rm100] = await erp.listOrderComponents(order);
    simulator.store.setStock({ material: 'RM-100', plant: 'CT03', storageLocation: '0001', quantity: 100 });
    simulator.store.setStock({
      material: 'RM-200',
      plant: 'CT03',
      storageLocation: '0001',
      batch: 'B1',
      quantity: 100,
    });
    const movement = (overrides: Partial<GoodsMovementPosting>): GoodsMovementPosting => ({
      postingKey: randomUUID(),
      goodsMovementType: '261',
      material: 'RM-100',
      plant: 'CT03',
      storageLocation: '0001',
      quantity: 1,
      unit: 'PC',
      postingDate: '2026-11-26T23:30:00.000Z',
      ...overrides,
    });
    await erp.postGoodsMovement(
      movement({
        goodsMovementType: '101',
        material: 'FG-1000',
        storageLocation: 'FG01',
        quantity: 5,
        manufacturingOrder: order,
      }),
    );
    const issue = await erp.postGoodsMovement(
      movement({
        quantity: 10,
        manufacturingOrder: order,
        reservation: rm100.reservation,
        reservationItem: rm100.reservationItem,
      }),
    );
    const rm200 = { material: 'RM-200', batch: 'B1', unit: 'KG' };
    await erp.postGoodsMovement(
      movement({ ...rm200, goodsMovementType: '311', receivingStorageLocation: '0002', quantity: 2.125 }),
    );
    await erp.postGoodsMovement(
      movement({ ...rm200, goodsMovementType: '551', reasonCode: '0001', quantity: 0.5 }),
    );
    expect(await erp.findGoodsMovement(issue.postingKey)).toEqual({ ...issue, alreadyPosted: true });
    const reversal = await erp.reverseGoodsMovement({
      postingKey: randomUUID(),
      original: issue,
      postingDate: '2026-11-27T08:00:00.000Z',
    });
    expect(await erp.findReversal(reversal.postingKey, issue)).toEqual({ ...reversal, alreadyPosted: true });
    expect(await erp.listStock('CT03', ['RM-200'])).toEqual([
      expect.objectContaining({ storageLocation: '0001', batch: 'B1', quantity: 97.375 }),
      expect.objectContaining({ storageLocation: '0002', batch: 'B1', quantity: 2.125 }),
    ]);
    expect(await erp.listStock('CT03')).toHaveLength(4);
    expect(await erp.getMaterial('RM-200', 'CT03')).toMatchObject({ baseUnit: 'KG', batchManaged: true });
    expect(await erp.getMaterial('RM-999', 'CT03')).toBeUndefined();

    expect(simulator.contractViolations()).toEqual([]);
  });

  it('takes the external key back from SAP in whatever letter case SAP answers it', async () => {
    const upper = new ErpSimulator({ guidCase: 'upper' });
    const upperUrl = await upper.start();
    try {
      const erp = new SapErpAdapter({ baseUrl: upperUrl, timeoutMs: 2000, resilience: DEFAULT_RESILIENCE });
      const order = upper.store.releaseOrder({ plant: 'CT02' }).ManufacturingOrder;
      const sent = posting(order);
      expect((await erp.postConfirmation(sent)).externalKey).toBe(sent.externalKey);
      expect(upper.store.ledger()[0].ExternalSystemConfirmation).toBe(sent.externalKey.toUpperCase());
      expect(await erp.findConfirmation(sent.externalKey)).toMatchObject({ externalKey: sent.externalKey });
    } finally {
      await upper.stop();
    }
  });

  it('hands out a CSRF token on a HEAD, as SAP Gateway does (SAP Cloud SDK fetches it so)', async () => {
    const service = `${url}/sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV/ProdnOrdConf2/`;
    const head = await fetch(service, { method: 'HEAD', headers: { 'x-csrf-token': 'Fetch' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-csrf-token')).toMatch(/.+/);
  });

  it('serves the metadata documents at $metadata, as SAP Gateway does', async () => {
    const text = await fetch(`${url}/sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV/$metadata`).then(
      (r) => r.text(),
    );
    expect(text).toContain('<FunctionImport Name="CancelProdnOrdConf"');
    expect(text).toContain('<Property Name="ExternalSystemConfirmation" Type="Edm.Guid"/>');
    const orders = await fetch(`${url}/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/$metadata`).then((r) =>
      r.text(),
    );
    expect(orders).toContain('<Property Name="OrderIsReleased" Type="Edm.String" MaxLength="1"/>');
    expect(orders).toContain('<EntitySet Name="A_ProductionOrderComponent_2"');
    const documents = await fetch(`${url}/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/$metadata`).then((r) =>
      r.text(),
    );
    expect(documents).toContain(
      '<EntitySet Name="A_MaterialDocumentItem" EntityType="API_MATERIAL_DOCUMENT_SRV.A_MaterialDocumentItemType" sap:creatable="false"/>',
    );
    expect(documents).toContain('<FunctionImport Name="CancelItem"');
    expect(documents).toContain('<NavigationProperty Name="to_MaterialDocumentItem"');
    for (const service of ['API_MATERIAL_STOCK_SRV', 'API_PRODUCT_SRV']) {
      const answer = await fetch(`${url}/sap/opu/odata/sap/${service}/$metadata`);
      expect([answer.status, await answer.text()]).toEqual([
        200,
        expect.stringContaining(`Namespace="${service}"`),
      ]);
    }
  });

  it('refuses what SAP refuses: an item posted alone, stock written, and says which call broke the contract', async () => {
    const refusing = new ErpSimulator();
    const refusingUrl = await refusing.start();
    try {
      const service = `${refusingUrl}/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV`;
      const head = await fetch(`${service}/`, { headers: { 'x-csrf-token': 'Fetch' } });
      const headers = {
        'content-type': 'application/json',
        'x-csrf-token': head.headers.get('x-csrf-token') ?? '',
        cookie: (head.headers.get('set-cookie') ?? '').split(';')[0],
      };
      const item = await fetch(`${service}/A_MaterialDocumentItem`, { method: 'POST', headers, body: '{}' });
      expect(item.status).toBe(400);
      expect(await item.json()).toMatchObject({
        error: { message: { value: expect.stringMatching(/cannot be created/) } },
      });
      const stock = await fetch(
        `${refusingUrl}/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod`,
        {
          method: 'POST',
          headers,
          body: '{}',
        },
      );
      expect(stock.status).toBe(400);
      expect(refusing.contractViolations()).toEqual([
        'API_MATERIAL_DOCUMENT_SRV: entities of type A_MaterialDocumentItemType cannot be created',
        'API_MATERIAL_STOCK_SRV: entities of type A_MatlStkInAcctModType cannot be created',
      ]);
    } finally {
      await refusing.stop();
    }
  });
});
