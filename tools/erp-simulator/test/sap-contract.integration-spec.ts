import { randomUUID } from 'node:crypto';
import { ErpSimulator } from '../src';
import { type ConfirmationPosting, DEFAULT_RESILIENCE, SapErpAdapter } from '@plantbridge/erp';

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
  });
});
