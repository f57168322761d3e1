import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  BatchFormatError,
  type BatchMessage,
  type BatchPart,
  batchContentType,
  CONFIRMATION_SERVICE,
  decodeBatch,
  encodeBatch,
  newBoundary,
  PRODUCTION_ORDER_SERVICE,
  type SapConfirmation,
  type SapConfirmationCreate,
  type SapErrorBody,
  type SapProductionOrder,
  toEdmx,
} from '@plantbridge/erp';
import { Faults, type FaultSettings } from './faults';
import { contractsFor } from './contract';
import { applyQuery, ODataQueryError } from './odata-query';
import { ErpStore, type ReleaseOrderInput, SapRejection } from './store';

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
 * flow and error bodies of `API_PRODUCTION_ORDER_2_SRV` and `API_PROD_ORDER_CONFIRMATION_2_SRV`,
 * backed by an in-memory store, plus a control API under `/__sim` to release orders, inject
 * faults and read the ledger. Test equipment, not product.
 */
export class ErpSimulator {
  readonly store: ErpStore;
  readonly faults = new Faults();
  /** SAP's contract of each service (the project's metadata documents), which every request must fit. */
  readonly contracts = contractsFor();
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
      if (
        url.pathname.startsWith(PRODUCTION_ORDER_SERVICE) ||
        url.pathname.startsWith(CONFIRMATION_SERVICE)
      ) {
        return await this.odata(req, res, url);
      }
      this.sapError(res, 404, '/IWFND/MED/170', `No service found for namespace, name ${url.pathname}`);
    } catch (error) {
      if (error instanceof SapRejection) return this.sapError(res, error.status, error.code, error.message);
      if (error instanceof ODataQueryError)
        return this.sapError(res, 400, '/IWBEP/CM_MGW_RT/022', error.message);
      if (error instanceof SyntaxError)
        return this.sapError(res, 400, '/IWBEP/CM_MGW_RT/021', `Malformed JSON: ${error.message}`);
      if (error instanceof BatchFormatError)
        return this.sapError(res, 400, '/IWBEP/CM_MGW_RT/021', `Malformed $batch: ${error.message}`);
      this.sapError(res, 500, '/IWBEP/CM_MGW_RT/000', `Runtime error: ${(error as Error).message}`);
    }
  }

  private async odata(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    // 'close' also fires for an answer dropped on purpose, recorded with status 0.
    res.once('close', () => this.record(method, url.pathname, res.writableFinished ? res.statusCode : 0));
    const latency = this.faults.latency;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    const fault = this.faults.before(url.pathname);
    if (fault.kind === 'outage')
      return this.sapError(
        res,
        503,
        '/IWFND/CM_BEC/026',
        'Service unavailable: the backend system is down for maintenance',
      );
    if (fault.kind === 'throttle') {
      res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return this.sapError(res, 429, '/IWFND/CM_CONSUMER/429', 'Too many requests; rate limit exceeded');
    }
    if (!this.authorized(req)) {
      res.setHeader('www-authenticate', 'Basic realm="SAP NetWeaver Application Server"');
      return this.sapError(res, 401, '/IWFND/CM_CONSUMER/401', 'Logon failed');
    }
    const service = url.pathname.startsWith(PRODUCTION_ORDER_SERVICE)
      ? PRODUCTION_ORDER_SERVICE
      : CONFIRMATION_SERVICE;
    const path = url.pathname.slice(service.length) || '/';
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
    const contract =
      service === PRODUCTION_ORDER_SERVICE ? this.contracts.orders : this.contracts.confirmations;
    if (path === '/$metadata' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(toEdmx(contract.service));
      return;
    }
    if (service === PRODUCTION_ORDER_SERVICE)
      return this.productionOrders(res, method, path, url.searchParams);
    return this.confirmations(req, res, method, path, url.searchParams, body);
  }

  /** Every request that did not fit SAP's metadata, for contract tests. */
  contractViolations(): string[] {
    return [...this.contracts.orders.violations, ...this.contracts.confirmations.violations];
  }

  /** An order as SAP sends it: `__metadata` on it and on its expanded operations. */
  private orderAsSent(order: SapProductionOrder, params: URLSearchParams): SapProductionOrder {
    const orders = this.contracts.orders;
    const sent = orders.withMetadata(this.url, 'A_ProductionOrder_2', expand(order, params));
    if (sent.to_ProductionOrderOperation)
      sent.to_ProductionOrderOperation = {
        results: sent.to_ProductionOrderOperation.results.map((op) =>
          orders.withMetadata(this.url, 'A_ProductionOrderOperation_2', op),
        ),
      };
    return sent;
  }

  private confirmationAsSent(confirmation: SapConfirmation): SapConfirmation {
    return this.contracts.confirmations.withMetadata(this.url, 'ProdnOrdConf2', confirmation);
  }

  private productionOrders(res: ServerResponse, method: string, path: string, params: URLSearchParams): void {
    if (method !== 'GET')
      return this.sapError(res, 405, '/IWBEP/CM_MGW_RT/405', `Method ${method} not allowed`);
    if (path === '/')
      return this.json(res, 200, {
        d: { EntitySets: ['A_ProductionOrder_2', 'A_ProductionOrderOperation_2'] },
      });
    if (path === '/A_ProductionOrder_2') {
      const types = this.contracts.orders.filterTypes('A_ProductionOrder_2');
      const results = applyQuery(this.store.allOrders(), params, types).map((o) =>
        this.orderAsSent(o, params),
      );
      return this.json(res, 200, { d: { results } });
    }
    const single = /^\/A_ProductionOrder_2\('((?:[^']|'')+)'\)$/.exec(path);
    if (single) {
      const order = this.store.order(single[1].replace(/''/g, "'"));
      if (!order)
        return this.sapError(
          res,
          404,
          '/IWBEP/CM_MGW_RT/020',
          `Resource not found for segment 'A_ProductionOrder_2'`,
        );
      return this.json(res, 200, { d: this.orderAsSent(order, params) });
    }
    this.sapError(res, 404, '/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${path}'`);
  }

  private confirmations(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    params: URLSearchParams,
    body: string,
  ): void {
    if (path === '/' && method === 'GET')
      return this.json(res, 200, { d: { EntitySets: ['ProdnOrdConf2'] } });
    if (path === '/ProdnOrdConf2' && method === 'GET') {
      const types = this.contracts.confirmations.filterTypes('ProdnOrdConf2');
      const results = applyQuery(this.store.ledger(), params, types).map((c) => this.confirmationAsSent(c));
      return this.json(res, 200, { d: { results } });
    }
    if (path === '/$batch' && method === 'POST') return this.batch(req, res, body);
    if (path === '/ProdnOrdConf2' && method === 'POST') {
      const input = JSON.parse(body) as SapConfirmationCreate;
      this.contracts.confirmations.checkCreate('ProdnOrdConf2', input);
      if (this.committedLater(req, () => this.store.confirm(input))) return;
      const confirmation = this.confirmationAsSent(this.store.confirm(input));
      if (this.faults.dropThisAnswer()) {
        // Committed, then the connection dies: the caller cannot know whether it was posted.
        req.socket.destroy();
        return;
      }
      return this.json(res, 201, { d: confirmation });
    }
    // Function imports, as the metadata has them: `CancelProdnOrdConf` (`Cancel`, of the material
    // document service, is a 404 here).
    if (/^\/\w+$/.test(path) && path !== '/ProdnOrdConf2' && path !== '/$batch') {
      this.contracts.confirmations.checkFunctionImport(path.slice(1), method, params);
      const unquote = (v: string | null) => (v ?? '').replace(/^'|'$/g, '');
      const reversal = this.store.cancel(
        unquote(params.get('ConfirmationGroup')),
        unquote(params.get('ConfirmationCount')),
      );
      return this.json(res, 200, { d: this.confirmationAsSent(reversal) });
    }
    this.sapError(res, 404, '/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${path}'`);
  }

  /**
   * `$batch` of confirmation changesets, one operation each (all the adapter sends). Changesets are
   * applied in order; like SAP Gateway, the first one refused ends the batch: its error is the last
   * answer and the changesets after it are not applied. "Drop the answer" counts a batch as one write.
   */
  private batch(req: IncomingMessage, res: ServerResponse, body: string): void {
    const parts = decodeBatch(req.headers['content-type'], body);
    const answers: BatchPart[] = [];
    const apply = () => {
      for (const part of parts) {
        const answer = this.changeset(part);
        answers.push(answer);
        if ('message' in answer) break;
      }
    };
    if (this.committedLater(req, apply)) return;
    apply();
    if (this.faults.dropThisAnswer()) {
      req.socket.destroy();
      return;
    }
    const boundary = newBoundary('batchresponse');
    const text = encodeBatch(boundary, answers);
    res.writeHead(202, {
      'content-type': batchContentType(boundary),
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
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

  private changeset(part: BatchPart): BatchPart {
    const requests = 'changeset' in part ? part.changeset : [part.message];
    const [request] = requests;
    if (requests.length !== 1 || !/^POST ProdnOrdConf2 HTTP\/1\.1$/.test(request.startLine)) {
      return {
        message: answer(
          400,
          sapErrorBody(
            '/IWBEP/CM_MGW_RT/022',
            'The simulator takes changesets of one POST ProdnOrdConf2 each',
          ),
        ),
      };
    }
    try {
      const input = JSON.parse(request.body) as SapConfirmationCreate;
      this.contracts.confirmations.checkCreate('ProdnOrdConf2', input);
      const confirmation = this.confirmationAsSent(this.store.confirm(input));
      return { changeset: [answer(201, { d: confirmation })] };
    } catch (error) {
      if (error instanceof SapRejection)
        return { message: answer(error.status, sapErrorBody(error.code, error.message)) };
      if (error instanceof SyntaxError)
        return {
          message: answer(400, sapErrorBody('/IWBEP/CM_MGW_RT/021', `Malformed JSON: ${error.message}`)),
        };
      throw error;
    }
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice('/__sim'.length);
    const body =
      method === 'GET' || method === 'DELETE'
        ? {}
        : (JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>);
    if (path === '/orders' && method === 'POST') {
      return this.json(res, 201, this.store.releaseOrder(body as unknown as ReleaseOrderInput));
    }
    if (path === '/orders' && method === 'GET')
      return this.json(res, 200, { orders: this.store.allOrders() });
    const close = /^\/orders\/(\w+)\/(close|reopen)$/.exec(path);
    if (close && method === 'POST')
      return this.json(res, 200, this.store.setClosed(close[1], close[2] === 'close'));
    if (path === '/faults' && method === 'PUT') {
      this.faults.set(body as FaultSettings);
      return this.json(res, 200, this.faults.describe());
    }
    if (path === '/faults' && method === 'DELETE') {
      this.faults.clear();
      return this.json(res, 200, this.faults.describe());
    }
    if (path === '/faults' && method === 'GET') return this.json(res, 200, this.faults.describe());
    if (path === '/ledger' && method === 'GET') {
      const from = Number(url.searchParams.get('from') ?? 0);
      const entries = this.store.ledgerFrom(from);
      return this.json(res, 200, {
        from,
        confirmations: entries.map((e) => e.confirmation),
        committedAt: entries.map((e) => e.committedAt),
      });
    }
    if (path === '/requests' && method === 'GET') return this.json(res, 200, { requests: this.requestLog() });
    if (path === '/sessions/expire' && method === 'POST') {
      this.expireSessions();
      return this.json(res, 200, { expired: true });
    }
    this.json(res, 404, { error: `unknown control ${method} ${path}` });
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
    if (!oauth || req.method !== 'POST') return this.json(res, 404, { error: 'not_found' });
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
      return this.json(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    if (form.get('grant_type') !== 'client_credentials')
      return this.json(res, 400, { error: 'unsupported_grant_type' });
    const lifetime = oauth.tokenLifetimeSeconds ?? 3600;
    const token = randomBytes(24).toString('base64url');
    this.oauthTokens.set(token, Date.now() + lifetime * 1000);
    this.json(res, 200, { access_token: token, token_type: 'bearer', expires_in: lifetime });
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

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private sapError(res: ServerResponse, status: number, code: string, message: string): void {
    this.json(res, status, sapErrorBody(code, message));
  }
}

/** SAP Gateway's error body. */
function sapErrorBody(code: string, message: string): SapErrorBody {
  return {
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: {
        transactionid: randomUUID().replace(/-/g, '').toUpperCase(),
        errordetails: [{ code, message, severity: 'error', target: '' }],
      },
    },
  };
}

/** One HTTP answer inside a `$batch` response. */
function answer(status: number, body: unknown): BatchMessage {
  return {
    startLine: `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trim(),
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** Navigation properties only when `$expand` asks for them, as SAP sends them. */
function expand<T extends { to_ProductionOrderOperation?: unknown }>(order: T, params: URLSearchParams): T {
  if (params.get('$expand')?.includes('to_ProductionOrderOperation')) return order;
  const { to_ProductionOrderOperation: _omitted, ...rest } = order;
  return rest as T;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
