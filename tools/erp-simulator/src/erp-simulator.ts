import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BatchFormatError, toEdmx } from '@plantbridge/erp';
import { contractsFor } from './contract';
import { Faults, type FaultSettings } from './faults';
import { ControlInputError, inventoryControl } from './inventory-control';
import { MaterialDocumentService, MaterialStockService, ProductService } from './inventory-services';
import { ODataQueryError } from './odata-query';
import type { ODataRequest, ODataService, ServiceContext } from './odata-service';
import { ConfirmationService, ProductionOrderService } from './production-services';
import { rejectionBody, sendJson, sendSapError } from './sap-responses';
import { SapBusinessException, SapRejection } from './sap-rejection';
import { ErpStore, type ReleaseOrderInput } from './store';

export interface ErpSimulatorOptions {
  port?: number;
  host?: string;
  /** Basic-auth credentials required on OData calls (a communication user); none when absent. */
  user?: string;
  password?: string;
  /**
   * OAuth 2.0 client credentials: the simulator serves a token endpoint at `/oauth/token` for this
   * client and requires one of its unexpired bearer tokens on OData calls.
   */
  oauth?: { clientId: string; clientSecret: string; tokenLifetimeSeconds?: number };
  /**
   * HTTPS with this key and certificate; with `clientCa`, OData calls need a client certificate that
   * CA signed (X.509 authentication).
   */
  tls?: { key: string; cert: string; clientCa?: string };
  /**
   * What a second confirmation with an `ExternalSystemConfirmation` already posted gets. SAP
   * documents no duplicate check on that field, so by default it is posted again, as SAP would;
   * `refused` is the helpful ERP our code must not rely on.
   */
  duplicateConfirmations?: 'accepted' | 'refused';
  /** The letter case of GUIDs in answers (see ErpStoreOptions). */
  guidCase?: 'lower' | 'upper';
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  status: number;
}

const SESSION_COOKIE = 'SAP_SESSIONID_SIM_100';

const MAX_REQUEST_LOG = 20_000;

/**
 * A SAP S/4HANA stand-in for tests and the demo: the OData V2 paths, entity and field names, CSRF
 * flow and error bodies of `API_PRODUCTION_ORDER_2_SRV`, `API_PROD_ORDER_CONFIRMATION_2_SRV`,
 * `API_MATERIAL_DOCUMENT_SRV`, `API_MATERIAL_STOCK_SRV` and `API_PRODUCT_SRV`, backed by an
 * in-memory store, plus a control API under `/__sim` to release orders, set materials and stock,
 * close posting periods, inject faults and read the ledgers. Test equipment, not product.
 */
export class ErpSimulator implements ServiceContext {
  readonly store: ErpStore;
  readonly faults = new Faults();
  /** SAP's contract of each service (the project's metadata documents), which every request must fit. */
  readonly contracts = contractsFor();
  private readonly services: ODataService[];
  private readonly sessions = new Map<string, string>();
  private readonly oauthTokens = new Map<string, number>();
  /** Calls of the token endpoint so far. */
  oauthTokenRequests = 0;
  private readonly requests: RequestRecord[] = [];
  private server?: Server;
  private schedule?: NodeJS.Timeout;

  constructor(private readonly options: ErpSimulatorOptions = {}) {
    this.store = new ErpStore({
      refuseDuplicates: options.duplicateConfirmations === 'refused',
      guidCase: options.guidCase,
    });
    const { orders, confirmations, materialDocuments, stock, products } = this.contracts;
    this.services = [
      new ProductionOrderService(orders, this.store, this),
      new ConfirmationService(confirmations, this.store, this),
      new MaterialDocumentService(materialDocuments, this.store, this),
      new MaterialStockService(stock, this.store, this),
      new ProductService(products, this.store, this),
    ];
  }

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.route(req, res);
    const tls = this.options.tls;
    const server: Server = tls
      ? createHttpsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ca: tls.clientCa,
            requestCert: !!tls.clientCa,
            rejectUnauthorized: false,
          },
          handler,
        )
      : createServer(handler);
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve);
    });
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('ERP simulator is not started');
    const scheme = this.options.tls ? 'https' : 'http';
    return `${scheme}://${this.options.host ?? '127.0.0.1'}:${address.port}`;
  }

  /** Releases one order per plant every `everyMs` (the demo's planner). */
  releaseEvery(everyMs: number, plants: string[], order: Omit<ReleaseOrderInput, 'plant'> = {}): void {
    clearInterval(this.schedule);
    this.schedule = setInterval(
      () => plants.forEach((plant) => this.store.releaseOrder({ ...order, plant })),
      everyMs,
    );
  }

  /** Every OData request with its answer, oldest first (the last 20,000). */
  requestLog(): RequestRecord[] {
    return [...this.requests];
  }

  /** Forgets every CSRF token, as an expired SAP session would. */
  expireSessions(): void {
    this.sessions.clear();
  }

  async stop(): Promise<void> {
    clearInterval(this.schedule);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    try {
      if (url.pathname.startsWith('/__sim/')) return await this.control(req, res, url);
      if (url.pathname === '/oauth/token') return await this.issueOAuthToken(req, res);
      const service = this.services.find(
        (s) => url.pathname === s.root || url.pathname.startsWith(`${s.root}/`),
      );
      if (service) return await this.odata(req, res, url, service);
      sendSapError(res, 404, '/IWFND/MED/170', `No service found for namespace, name ${url.pathname}`);
    } catch (error) {
      if (error instanceof SapRejection) return sendJson(res, error.status, rejectionBody(error));
      if (error instanceof ODataQueryError)
        return sendSapError(res, 400, '/IWBEP/CM_MGW_RT/022', error.message);
      if (error instanceof SyntaxError)
        return sendSapError(res, 400, '/IWBEP/CM_MGW_RT/021', `Malformed JSON: ${error.message}`);
      if (error instanceof BatchFormatError)
        return sendSapError(res, 400, '/IWBEP/CM_MGW_RT/021', `Malformed $batch: ${error.message}`);
      sendSapError(res, 500, '/IWBEP/CM_MGW_RT/000', `Runtime error: ${(error as Error).message}`);
    }
  }

  /** What every service shares: latency, outage and throttle faults, authentication, CSRF, `$metadata`. */
  private async odata(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    service: ODataService,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    // 'close' also fires for an answer dropped on purpose, recorded with status 0.
    res.once('close', () => this.record(method, url.pathname, res.writableFinished ? res.statusCode : 0));
    const latency = this.faults.latency;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    const fault = this.faults.before(url.pathname);
    if (fault.kind === 'outage')
      return sendSapError(
        res,
        503,
        '/IWFND/CM_BEC/026',
        'Service unavailable: the backend system is down for maintenance',
      );
    if (fault.kind === 'throttle') {
      res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return sendSapError(res, 429, '/IWFND/CM_CONSUMER/429', 'Too many requests; rate limit exceeded');
    }
    if (!this.authorized(req)) {
      res.setHeader('www-authenticate', 'Basic realm="SAP NetWeaver Application Server"');
      return sendSapError(res, 401, '/IWFND/CM_CONSUMER/401', 'Logon failed');
    }
    const path = url.pathname.slice(service.root.length) || '/';
    // SAP Gateway hands out a token on a GET or a HEAD (SAP Cloud SDK fetches it with a HEAD).
    const fetchesToken = req.headers['x-csrf-token']?.toString().toLowerCase() === 'fetch';
    if ((method === 'GET' || method === 'HEAD') && fetchesToken) this.issueToken(req, res);
    if (method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
      return;
    }
    if (method === 'POST' && !this.validToken(req)) {
      res.writeHead(403, { 'x-csrf-token': 'Required', 'content-type': 'text/plain' });
      res.end('CSRF token validation failed');
      return;
    }
    if (path === '/$metadata' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(toEdmx(service.contract.service));
      return;
    }
    service.handle({ req, res, method, path, params: url.searchParams, body });
  }

  /** Every request that did not fit SAP's metadata, for contract tests. */
  contractViolations(): string[] {
    return this.services.flatMap((service) => service.contract.violations);
  }

  write<T>(request: ODataRequest, commit: () => T, answer: (result: T) => void): void {
    if (this.committedLater(request.req, commit)) return;
    const result = commit();
    if (this.faults.dropThisAnswer()) {
      // Committed, then the connection dies: the caller cannot know whether it was posted.
      request.req.socket.destroy();
      return;
    }
    answer(result);
  }

  checkLocks(materials: readonly string[]): void {
    const lock = this.faults.materialLockedBy(materials);
    if (lock)
      throw new SapBusinessException(
        'M3/897',
        `Plant data of material ${lock.material} is locked by user ${lock.user}`,
      );
  }

  /**
   * The late-commit fault: the caller's connection is dropped now and `commit` runs later, as when
   * SAP's work process finishes after the gateway closed the connection. True when it applied.
   */
  private committedLater(req: IncomingMessage, commit: () => unknown): boolean {
    const afterMs = this.faults.commitLater();
    if (afterMs === undefined) return false;
    req.socket.destroy();
    setTimeout(() => {
      try {
        commit();
      } catch {
        // Refused (the order closed meanwhile): nothing was committed, as SAP would roll back.
      }
    }, afterMs).unref();
    return true;
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice('/__sim'.length);
    const body =
      method === 'GET' || method === 'DELETE'
        ? {}
        : (JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>);
    if (path === '/orders' && method === 'POST') {
      return sendJson(res, 201, this.store.releaseOrder(body as unknown as ReleaseOrderInput));
    }
    if (path === '/orders' && method === 'GET') return sendJson(res, 200, { orders: this.store.allOrders() });
    const close = /^\/orders\/(\w+)\/(close|reopen)$/.exec(path);
    if (close && method === 'POST')
      return sendJson(res, 200, this.store.setClosed(close[1], close[2] === 'close'));
    if (path === '/faults' && method === 'PUT') {
      this.faults.set(body as FaultSettings);
      return sendJson(res, 200, this.faults.describe());
    }
    if (path === '/faults' && method === 'DELETE') {
      this.faults.clear();
      return sendJson(res, 200, this.faults.describe());
    }
    if (path === '/faults' && method === 'GET') return sendJson(res, 200, this.faults.describe());
    if (path === '/ledger' && method === 'GET') {
      const from = Number(url.searchParams.get('from') ?? 0);
      const entries = this.store.ledgerFrom(from);
      return sendJson(res, 200, {
        from,
        confirmations: entries.map((e) => e.confirmation),
        committedAt: entries.map((e) => e.committedAt),
      });
    }
    if (path === '/requests' && method === 'GET') return sendJson(res, 200, { requests: this.requestLog() });
    if (path === '/sessions/expire' && method === 'POST') {
      this.expireSessions();
      return sendJson(res, 200, { expired: true });
    }
    try {
      const answer = inventoryControl(this.store, method, path, body, url.searchParams);
      if (answer) return sendJson(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof ControlInputError) return sendJson(res, 400, { error: error.message });
      throw error;
    }
    sendJson(res, 404, { error: `unknown control ${method} ${path}` });
  }

  /** Each configured way in must pass: basic user, OAuth bearer token, client certificate. */
  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (this.options.user) {
      const expected = `Basic ${Buffer.from(`${this.options.user}:${this.options.password ?? ''}`).toString('base64')}`;
      if (header !== expected) return false;
    }
    if (this.options.oauth) {
      const expires = this.oauthTokens.get(header.replace(/^Bearer /, ''));
      if (!header.startsWith('Bearer ') || expires === undefined || expires < Date.now()) return false;
    }
    if (this.options.tls?.clientCa && !(req.socket as TLSSocket).authorized) return false;
    return true;
  }

  /** RFC 6749 §4.4: the client authenticates with basic auth and gets a bearer token. */
  private async issueOAuthToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const oauth = this.options.oauth;
    const form = new URLSearchParams(await readBody(req));
    if (!oauth || req.method !== 'POST') return sendJson(res, 404, { error: 'not_found' });
    this.oauthTokenRequests++;
    // The client in the form body (client_secret_post), or in a basic header taken as it is, not
    // URL-decoded, as SAP's XSUAA takes it.
    const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString(
      'utf8',
    );
    const [id, secret] = form.has('client_id')
      ? [form.get('client_id'), form.get('client_secret')]
      : [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)];
    if (id !== oauth.clientId || secret !== oauth.clientSecret)
      return sendJson(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    if (form.get('grant_type') !== 'client_credentials')
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    const lifetime = oauth.tokenLifetimeSeconds ?? 3600;
    const token = randomBytes(24).toString('base64url');
    this.oauthTokens.set(token, Date.now() + lifetime * 1000);
    sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: lifetime });
  }

  /** Invalidates every OAuth token issued so far, as a revoked client or a restarted identity service would. */
  revokeOAuthTokens(): void {
    this.oauthTokens.clear();
  }

  private sessionOf(req: IncomingMessage): string | undefined {
    const cookie = req.headers.cookie ?? '';
    const match = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie);
    return match?.[1];
  }

  private issueToken(req: IncomingMessage, res: ServerResponse): void {
    let session = this.sessionOf(req);
    if (!session || !this.sessions.has(session)) {
      session = randomUUID();
      this.sessions.set(session, randomBytes(16).toString('base64'));
      res.setHeader('set-cookie', `${SESSION_COOKIE}=${session}; path=/; HttpOnly`);
    }
    res.setHeader('x-csrf-token', this.sessions.get(session) as string);
  }

  private validToken(req: IncomingMessage): boolean {
    const session = this.sessionOf(req);
    const token = req.headers['x-csrf-token'];
    return session !== undefined && token !== undefined && this.sessions.get(session) === token;
  }

  private record(method: string, path: string, status: number): void {
    this.requests.push({ at: Date.now(), method, path, status });
    if (this.requests.length > MAX_REQUEST_LOG)
      this.requests.splice(0, this.requests.length - MAX_REQUEST_LOG);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
