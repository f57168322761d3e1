import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventPublisher, type JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, deleteDurables } from '@plantbridge/messaging/testing';
import { startLineSimulatorProcess } from '@plantbridge/opcua-simulator/testing';
import {
  createTestSchema,
  freePort,
  ServiceProcess,
  TEST_DATABASE_URL,
  TEST_NATS_URL,
  type TestSchema,
  uniqueToken,
} from '@plantbridge/testing';
import { LocalIssuer } from '@plantbridge/token-issuer';
import { DataSource } from 'typeorm';
import type { FuzzTargets, ServiceName } from './routes';
import { ErpControl } from './erp-control';
import { makeTargets } from './plant-targets';
import { consumerOf, type EventTargets, SUBJECTS } from './subjects';
import { until } from './until';

/**
 * The gateway reads one machine's state of the line simulator: enough for an endpoint to browse.
 * Written here rather than with the simulator's countingMapping, whose module loads node-opcua into
 * the fuzzer's process (memory, and its warnings on every run).
 */
function gatewayMapping(endpointUrl: string, plant: string) {
  const tag = { nodeId: 'ns=1;s=Line1.M01.State', equipmentId: `${plant}-M01`, signal: 'state' };
  return { endpoints: [{ id: 'line1', url: endpointUrl, tags: [tag] }] };
}

/**
 * A plant to fuzz: production-order-sync and edge-gateway as processes (on PostgreSQL, as in
 * production), the ERP simulator and an OPC UA line simulator (processes too) for the gateway to browse, and a plant
 * code of its own so nothing is shared with other tests. `start()` also makes what valid requests
 * and events refer to (see plant-targets.ts).
 */
export class PlantUnderFuzz {
  readonly plant = uniqueToken('F');
  readonly otherPlant = uniqueToken('X');
  erp!: ErpControl;
  readonly services = {} as Record<ServiceName, ServiceProcess>;
  readonly urls = {} as Record<ServiceName, string>;
  connection!: JetStreamConnection;
  publisher!: EventPublisher;
  maxPayload = 0;
  targets!: FuzzTargets;
  events!: EventTargets;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  /**
   * `Bearer <token>` that may do everything, in every plant: every request carries it. The fuzz is
   * about bodies, headers, paths and events; auth is production-order-sync's own tests' concern.
   * Every plant (`*`), so a hostile `:plant` still reaches the routes' own checks of it, as before
   * auth: with the plant alone in the token, the guard would refuse it first (403).
   */
  authorization = '';
  private authEnv: Record<string, string> = {};
  private schemas: TestSchema[] = [];
  private line?: Awaited<ReturnType<typeof startLineSimulatorProcess>>;
  private edgeDb?: DataSource;
  private edgeSchema = '';

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  async start(): Promise<void> {
    const issuer = await LocalIssuer.inFolder(join(this.dataDir, 'auth'));
    this.authEnv = issuer.env();
    this.authorization = `Bearer ${await issuer.tokenForEverything(['*'], 'plantbridge-fuzz')}`;
    this.erp = await ErpControl.start(this.plant);
    this.connection = await connectForTest(TEST_NATS_URL, 'plantbridge-fuzz');
    this.publisher = new EventPublisher(this.connection);
    this.maxPayload = (await this.connection.whenConnected()).info?.max_payload ?? 1024 * 1024;
    const [ordersSchema, edgeSchema] = [await createTestSchema('fzpos'), await createTestSchema('fzedge')];
    this.schemas = [ordersSchema, edgeSchema];
    this.line = await startLineSimulatorProcess({
      machines: 1,
      dataDir: join(this.dataDir, 'plc'),
      tickMs: 1000,
      seed: 7,
    });
    await Promise.all([this.startOrders(ordersSchema), this.startEdge(edgeSchema)]);
    this.edgeSchema = edgeSchema.schema;
    this.edgeDb = await new DataSource({ type: 'postgres', url: TEST_DATABASE_URL }).initialize();
    this.log(
      `plant ${this.plant}: production-order-sync at ${this.urls.orders}, edge-gateway at ${this.urls.edge}`,
    );
    ({ targets: this.targets, events: this.events } = await makeTargets(this));
  }

  private async startOrders(schema: TestSchema): Promise<void> {
    const port = await freePort();
    this.urls.orders = `http://127.0.0.1:${port}`;
    // As apps/production-order-sync/test/order-sync-stack.ts: short polls and retries, so a run settles quickly.
    this.services.orders = ServiceProcess.start('production-order-sync', {
      ...this.common(port, schema),
      ERP_BASE_URL: this.erp.url,
      ORDER_POLL_MS: '300',
      ORDER_POLL_OVERLAP_MS: '5000',
      ERP_TIMEOUT_MS: '2000',
      ERP_REQUEST_LIMIT_MS: '3000',
      ERP_RETRY_MAX_ATTEMPTS: '1',
      ERP_BREAKER_THRESHOLD: '5',
      ERP_BREAKER_HALF_OPEN_MS: '1000',
      POSTING_RETRY_MAX_DELAY_MS: '2000',
      AUTO_CONFIRM_COUNTS: 'true',
    });
    await this.ready('orders');
  }

  private async startEdge(schema: TestSchema): Promise<void> {
    const port = await freePort();
    this.urls.edge = `http://127.0.0.1:${port}`;
    const mappingFile = join(this.dataDir, 'mapping.json');
    writeFileSync(mappingFile, JSON.stringify(gatewayMapping(this.line!.endpointUrl, this.plant)));
    this.services.edge = ServiceProcess.start('edge-gateway', {
      ...this.common(port, schema),
      TAG_MAPPING_FILE: mappingFile,
    });
    await this.ready('edge');
    await until('the gateway to connect to the OPC UA simulator', async () => {
      const endpoints = (await this.get('edge', '/v1/opcua/endpoints')) as Array<{ state: string }>;
      return endpoints.every((e) => e.state === 'connected');
    });
  }

  private common(port: number, schema: TestSchema): Record<string, string> {
    return {
      ...this.authEnv,
      // The fuzzer is one client sending thousands of requests a second: a 429 would be no answer.
      RATE_LIMIT_PER_S: '0',
      HTTP_PORT: String(port),
      PLANT_ID: this.plant,
      NATS_URL: TEST_NATS_URL,
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      DATA_DIR: join(this.dataDir, schema.schema),
      CONSUMER_ACK_WAIT_MS: '8000',
      OUTBOX_POLL_MS: '200',
      // One connection: code that takes a second one while its transaction holds the first fails
      // (a 5xx, or an event retried on every delivery) on the first input that reaches it. With ten,
      // it took ten concurrent exception-queue retries, and then the service answered nothing again.
      DB_POOL_SIZE: '1',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '5000',
      // The fuzz is about input, not load: a 1 MiB body lags the event loop, and a 503 would be a 5xx.
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '60000',
      LOG_LEVEL: 'warn',
    };
  }

  private async ready(service: ServiceName): Promise<void> {
    await until(
      `${service} to be ready`,
      async () => {
        const ready = await fetch(`${this.urls[service]}/health/ready`, {
          signal: AbortSignal.timeout(5000),
        });
        return ready.status === 200;
      },
      60_000,
    );
  }

  async request(
    service: ServiceName,
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: this.authorization,
    };
    if (key) headers['idempotency-key'] = key;
    const response = await fetch(`${this.urls[service]}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // A service that stopped answering fails the setup or the check that asked, not the whole run.
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async get(service: ServiceName, path: string): Promise<unknown> {
    const { status, body } = await this.request(service, 'GET', path);
    if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async contexts(): Promise<Map<string, string>> {
    const sql = `SELECT equipment_id, manufacturing_order FROM "${this.edgeSchema}".production_context`;
    const rows = (await this.edgeDb!.query(sql)) as Array<{
      equipment_id: string;
      manufacturing_order: string;
    }>;
    return new Map(rows.map((r) => [r.equipment_id, r.manufacturing_order]));
  }

  /** Postings per ledger state, as the service reports them. */
  async postings(): Promise<Record<string, number>> {
    return (
      (await this.get('orders', `/v1/plants/${this.plant}/erp/status`)) as {
        postings: Record<string, number>;
      }
    ).postings;
  }

  async stop(keepLogs = false): Promise<string | undefined> {
    for (const [name, service] of Object.entries(this.services)) {
      await service.stop();
      writeFileSync(join(this.dataDir, `${name}.log`), service.text());
    }
    await this.line?.process.stop();
    await this.edgeDb?.destroy();
    await this.purge();
    await deleteDurables(this.connection, this.plant);
    await this.connection.close();
    await this.erp?.stop();
    for (const schema of this.schemas) await schema.drop();
    if (keepLogs) return this.dataDir;
    rmSync(this.dataDir, { recursive: true, force: true });
    return undefined;
  }

  /** A run stores tens of thousands of messages on the shared broker: its plant's are removed. */
  private async purge(): Promise<void> {
    const jsm = this.connection.manager();
    const filters = [
      ['EQUIPMENT', `mfg.equipment.v1.${this.plant}.>`],
      ['PRODUCTION', `mfg.production.v1.${this.plant}.>`],
      ...SUBJECTS.map((spec) => {
        const { stream, durable } = consumerOf(spec, this.plant);
        return ['DLQ', `dlq.${stream}.${durable}`];
      }),
    ];
    for (const [stream, filter] of filters)
      await jsm.streams.purge(stream, { filter }).catch(() => undefined);
  }
}
