import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { ErpStockPosition, SapMaterialDocumentItem } from '@plantbridge/erp';
import { ErpSimulator, type ErpSimulatorOptions, type ReleaseOrderInput } from '@plantbridge/erp-simulator';
import type { JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, deleteDurables, readStream } from '@plantbridge/messaging/testing';
import {
  createTestSchema,
  expectEventually,
  freePort,
  type HttpResult,
  type Json,
  ServiceHttp,
  ServiceProcess,
  sqlOnSchema,
  TEST_NATS_URL,
  type TestSchema,
} from '@plantbridge/testing';
import { LocalIssuer } from '@plantbridge/token-issuer';

/**
 * inventory-movement as a process, on PostgreSQL and the shared NATS, talking HTTP to the ERP
 * simulator (which accepts duplicate material documents, as SAP does), with a plant of its own so
 * runs never see each other's movements, events or durables. Requests carry a token that may do
 * everything in the plant.
 */
export class InventoryStack {
  /** SAP's plants have 4 characters, and material documents carry the plant. */
  readonly plant = `I${randomBytes(3).toString('base64url').replace(/[-_]/g, 'X').slice(0, 3).toUpperCase()}`;
  readonly erp: ErpSimulator;
  readonly http = new ServiceHttp(() => `http://127.0.0.1:${this.port}`);
  service?: ServiceProcess;
  connection!: JetStreamConnection;
  issuer!: LocalIssuer;
  private port = 0;
  private schema!: TestSchema;
  private dataDir!: string;

  constructor(
    private readonly env: Record<string, string> = {},
    erp: ErpSimulatorOptions = {},
  ) {
    this.erp = new ErpSimulator(erp);
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    await this.erp.start();
    this.schema = await createTestSchema('inv');
    this.dataDir = mkdtempSync(join(tmpdir(), 'inv-'));
    this.issuer = await LocalIssuer.inFolder(join(this.dataDir, 'auth'));
    this.http.token = await this.issuer.tokenForEverything([this.plant], 'test-mes');
    this.connection = await connectForTest(TEST_NATS_URL);
    this.port = await freePort();
    await this.startService(env);
  }

  async startService(env: Record<string, string> = {}): Promise<void> {
    this.service = ServiceProcess.start('inventory-movement', {
      HTTP_PORT: String(this.port),
      PLANT_ID: this.plant,
      NATS_URL: TEST_NATS_URL,
      DATABASE_URL: this.schema.url,
      DATABASE_SCHEMA: this.schema.schema,
      DATA_DIR: this.dataDir,
      ERP_BASE_URL: this.erp.url,
      ERP_TIMEOUT_MS: '2000',
      // The simulator commits before it answers (or drops the answer): above its latencies.
      ERP_REQUEST_LIMIT_MS: '3000',
      ERP_RETRY_MAX_ATTEMPTS: '1',
      ERP_BREAKER_THRESHOLD: '5',
      ERP_BREAKER_HALF_OPEN_MS: '1000',
      POSTING_RETRY_MAX_DELAY_MS: '2000',
      CONSUMER_ACK_WAIT_MS: '8000',
      OUTBOX_POLL_MS: '200',
      STOCK_RECONCILE_EVERY_MS: '0',
      // One connection: a second one taken while a transaction holds the first fails every test.
      DB_POOL_SIZE: '1',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '3000',
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '10000',
      RATE_LIMIT_PER_S: '0',
      ...this.issuer.env(),
      LOG_LEVEL: 'warn',
      ...this.env,
      ...env,
    });
    await expectEventually(
      async () => expect((await fetch(`${this.http.baseUrl}/health/ready`)).status).toBe(200),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  async restartService(env: Record<string, string> = {}): Promise<void> {
    await this.service?.stop();
    await this.startService(env);
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    if (process.env.DEBUG_SERVICE) process.stdout.write(this.service?.text() ?? '');
    await deleteDurables(this.connection, this.plant);
    await this.connection.close();
    await this.erp.stop();
    await this.schema.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  sql<T = Json>(statement: string, parameters: unknown[] = []): Promise<T[]> {
    return sqlOnSchema<T>(this.schema, statement, parameters);
  }

  get movementsPath(): string {
    return `/v1/plants/${this.plant}/material-movements`;
  }

  /** Releases an order in ERP (the default: FG-1000 of RM-100 and RM-200), returns its number. */
  releaseOrder(input: Omit<ReleaseOrderInput, 'plant'> = {}): string {
    return this.erp.store.releaseOrder({ plant: this.plant, ...input }).ManufacturingOrder;
  }

  /** Sets ERP's unrestricted stock of a material at a storage location (an opening stock). */
  setErpStock(material: string, storageLocation: string, quantity: number, batch?: string): void {
    this.erp.store.setStock({ plant: this.plant, material, storageLocation, quantity, batch });
  }

  /** ERP's unrestricted stock of a material at a storage location (and batch). */
  erpStock(material: string, storageLocation: string, batch = ''): number {
    return this.erpStockPositions(material)
      .filter(
        (p) => p.storageLocation === storageLocation && p.batch === batch && p.stockType === 'unrestricted',
      )
      .reduce((sum, p) => sum + p.quantity, 0);
  }

  erpStockPositions(material?: string): ErpStockPosition[] {
    return this.erp.store.stockPositions({ plant: this.plant, material });
  }

  /** The material document items ERP holds for this plant. */
  erpItems(): SapMaterialDocumentItem[] {
    return this.erp.store.materialDocuments.items().filter((i) => i.Plant === this.plant);
  }

  /** How many material document items ERP holds for a movement (by its key in the item text). */
  erpItemsOf(movementId: string): SapMaterialDocumentItem[] {
    return this.erpItems().filter((i) => i.MaterialDocumentItemText === `PB:${movementId}`);
  }

  move(body: Record<string, unknown>, key?: string | null): Promise<HttpResult> {
    return this.http.post(this.movementsPath, body, key);
  }

  get(path: string): Promise<HttpResult> {
    return this.http.get(path);
  }

  async waitStatus(ids: string[], status: string, timeoutMs = 30_000): Promise<Json[]> {
    let views: Json[] = [];
    await expectEventually(
      async () => {
        views = await Promise.all(
          ids.map(async (id) => (await this.get(`${this.movementsPath}/${id}`)).body),
        );
        expect(
          views.filter((v: Json) => v.status !== status).map((v: Json) => [v.movementId, v.status]),
        ).toEqual([]);
      },
      { timeoutMs, intervalMs: 250 },
    );
    return views;
  }

  /** The plant's inventory events as stored in JetStream. */
  async inventoryEvents(): Promise<CanonicalEvent[]> {
    const stored = await readStream(this.connection, 'INVENTORY', `mfg.inventory.v1.${this.plant}.>`);
    return stored.map((m) => JSON.parse(m.body) as CanonicalEvent);
  }
}
