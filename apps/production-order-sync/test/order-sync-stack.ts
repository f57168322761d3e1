import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { SapConfirmation } from '@plantbridge/erp';
import { ErpSimulator, type ErpSimulatorOptions } from '@plantbridge/erp-simulator';
import { LocalIssuer } from '@plantbridge/token-issuer';
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
  uniqueToken,
} from '@plantbridge/testing';

export type { HttpResult, Json } from '@plantbridge/testing';

/**
 * production-order-sync as a process, on PostgreSQL and the shared NATS, talking HTTP to the ERP
 * simulator, with a plant of its own so runs never see each other's orders, events or durables.
 * It accepts the tokens of a local issuer; requests carry one that may do everything in the plant.
 */
export class OrderSyncStack {
  readonly plant = uniqueToken('P');
  readonly erp: ErpSimulator;
  readonly released: string[] = [];
  service?: ServiceProcess;
  connection!: JetStreamConnection;
  issuer!: LocalIssuer;
  /** A token with every scope for the stack's plant: what requests send unless told otherwise. */
  token!: string;
  private port = 0;
  private schema!: TestSchema;
  private dataDir!: string;

  constructor(
    private readonly env: Record<string, string> = {},
    erp: ErpSimulatorOptions = {},
  ) {
    this.erp = new ErpSimulator(erp);
  }

  /** Starts ERP, the database schema and the service, with `env` on top of the stack's settings. */
  async start(env: Record<string, string> = {}): Promise<void> {
    await this.erp.start();
    this.schema = await createTestSchema('pos');
    this.dataDir = mkdtempSync(join(tmpdir(), 'pos-'));
    this.issuer = await LocalIssuer.inFolder(join(this.dataDir, 'auth'));
    this.token = await this.issuer.tokenForEverything([this.plant], 'test-mes');
    this.http.token = this.token;
    this.connection = await connectForTest(TEST_NATS_URL);
    this.port = await freePort();
    await this.startService(env);
  }

  async startService(env: Record<string, string> = {}): Promise<void> {
    this.service = ServiceProcess.start('production-order-sync', {
      HTTP_PORT: String(this.port),
      PLANT_ID: this.plant,
      NATS_URL: TEST_NATS_URL,
      DATABASE_URL: this.schema.url,
      DATABASE_SCHEMA: this.schema.schema,
      DATA_DIR: this.dataDir,
      ERP_BASE_URL: this.erp.url,
      ORDER_POLL_MS: '300',
      ORDER_POLL_OVERLAP_MS: '5000',
      ERP_TIMEOUT_MS: '2000',
      // The simulator commits before it answers (or drops the answer), unless a test makes it
      // commit late or slow: above the latencies the tests set, below their patience.
      ERP_REQUEST_LIMIT_MS: '3000',
      ERP_RETRY_MAX_ATTEMPTS: '1',
      ERP_BREAKER_THRESHOLD: '5',
      ERP_BREAKER_HALF_OPEN_MS: '1000',
      POSTING_RETRY_MAX_DELAY_MS: '2000',
      CONSUMER_ACK_WAIT_MS: '8000',
      OUTBOX_POLL_MS: '200',
      AUTO_CONFIRM_COUNTS: 'true',
      // One connection: code that takes a second one while its transaction holds the first then
      // fails in every test that reaches it, instead of only when every connection of a larger pool
      // happens to be held that way (ten concurrent retries wedged the service; see the fuzz suite).
      DB_POOL_SIZE: '1',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '3000',
      // A busy CI machine can lag the event loop; only the admission test means to be refused.
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '10000',
      // Tests poll and post in bursts from one client; the rate-limit test sets its own.
      RATE_LIMIT_PER_S: '0',
      ...this.issuer.env(),
      LOG_LEVEL: 'warn',
      ...this.env,
      ...env,
    });
    await expectEventually(
      async () => {
        const ready = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        expect(ready.status).toBe(200);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  /** Stops the service and starts it again, with `env` on top of the stack's settings. */
  async restartService(env: Record<string, string> = {}): Promise<void> {
    await this.service?.stop();
    await this.startService(env);
  }

  /** A statement on the service's own schema (tables are unqualified), e.g. to set up a broken row. */
  sql<T = Json>(statement: string, parameters: unknown[] = []): Promise<T[]> {
    return sqlOnSchema<T>(this.schema, statement, parameters);
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

  /** HTTP to the service with the stack's token (see ServiceHttp). */
  readonly http = new ServiceHttp(() => `http://127.0.0.1:${this.port}`);

  get<T = Json>(path: string): Promise<HttpResult<T>> {
    return this.http.get<T>(path);
  }

  /** A POST with an Idempotency-Key (a fresh one unless given; `null` sends none). */
  post<T = Json>(
    path: string,
    body: unknown,
    key: string | null = uniqueToken('k'),
    headers: Record<string, string> = {},
  ) {
    return this.http.post<T>(path, body, key, headers);
  }

  /** The service's data folder (its SQLite files when not on PostgreSQL, the issuer's keys). */
  get dataDirectory(): string {
    return this.dataDir;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  orderPath(order: string): string {
    return `/v1/plants/${this.plant}/production-orders/${order}`;
  }

  /** Releases an order in ERP and waits until the plant knows it. */
  async releaseOrder(quantity = 100, operations = 2): Promise<string> {
    const order = this.erp.store.releaseOrder({ plant: this.plant, quantity, operations }).ManufacturingOrder;
    this.released.push(order);
    await expectEventually(async () => expect((await this.get(this.orderPath(order))).status).toBe(200), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    return order;
  }

  /** Releases and acknowledges an order: ready for confirmations. */
  async acknowledgedOrder(quantity = 100): Promise<string> {
    const order = await this.releaseOrder(quantity);
    expect((await this.post(`${this.orderPath(order)}/acknowledgement`, { accepted: true })).status).toBe(
      200,
    );
    return order;
  }

  confirm(order: string, body: Record<string, unknown>, key?: string, headers?: Record<string, string>) {
    return this.post(
      `${this.orderPath(order)}/confirmations`,
      {
        operation: '0010',
        unit: 'PC',
        executionStart: '2026-11-26T06:00:00Z',
        executionEnd: '2026-11-26T08:00:00Z',
        ...body,
      },
      key,
      headers,
    );
  }

  async waitPosted(order: string, ids: string[], timeoutMs = 30_000): Promise<void> {
    await expectEventually(
      async () => {
        const { body } = await this.get<Array<{ confirmationId: string; status: string }>>(
          `${this.orderPath(order)}/confirmations`,
        );
        const posted = new Set(body.filter((c) => c.status === 'posted').map((c) => c.confirmationId));
        expect(ids.filter((id) => !posted.has(id))).toEqual([]);
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** What ERP holds for this plant's orders. */
  erpLedger(order?: string): SapConfirmation[] {
    return this.erp.store
      .ledger()
      .filter((c) => (order ? c.OrderID === order : this.released.includes(c.OrderID)));
  }

  async erpStatus(): Promise<{ circuit: string; postings: Record<string, number> }> {
    return (await this.get(`/v1/plants/${this.plant}/erp/status`)).body;
  }

  /** The plant's production events as stored in JetStream. */
  async productionEvents(): Promise<CanonicalEvent[]> {
    const stored = await readStream(this.connection, 'PRODUCTION', `mfg.production.v1.${this.plant}.>`);
    return stored.map((m) => JSON.parse(m.body) as CanonicalEvent);
  }
}

/** How many times each key appears in a list. */
export function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
