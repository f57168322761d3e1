import { readFileSync } from 'node:fs';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { inboxPrefixFor } from '../security/nats-permissions';

export interface NatsSettings {
  /** One or more server URLs, comma separated. */
  url: string;
  /** Shown in the server's connection list: service and instance. */
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  /** A credentials file (a user JWT and its NKey seed), for servers with decentralized auth. */
  credsFile?: string;
  /** PEM files: the CA that signed the server's certificate, and a client certificate and key. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/**
 * nats.js connection options for these settings. A user's replies (publish acknowledgements,
 * pulled messages) arrive under an inbox prefix of its own, the only subjects it may subscribe to.
 */
export function connectionOptions(settings: NatsSettings): ConnectionOptions {
  const tls = settings.tls;
  return {
    servers: settings.url.split(',').map((s) => s.trim()),
    name: settings.name,
    user: settings.user,
    pass: settings.pass,
    token: settings.token,
    ...(settings.user ? { inboxPrefix: inboxPrefixFor(settings.user) } : {}),
    ...(settings.credsFile ? { authenticator: credsAuthenticator(readFileSync(settings.credsFile)) } : {}),
    ...(tls && (tls.caFile || tls.certFile) ? { tls: { ...tls } } : {}),
  };
}

/** Where connection events go; a Nest Logger and pino both fit. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export class NatsUnavailableError extends Error {
  constructor(reason: string) {
    super(`NATS is unavailable: ${reason}`);
    this.name = 'NatsUnavailableError';
  }
}

type Listener = () => void | Promise<void>;

/**
 * One NATS connection per service process, shared by publisher, consumers and health. It connects
 * in the background and retries for ever, so a service boots (and reports not-ready) while the
 * broker is away instead of crash-looping; `whenConnected()` is what work that needs NATS awaits.
 */
export class JetStreamConnection {
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private connected = false;
  private closing = false;
  private readonly ready: Promise<NatsConnection>;
  private resolveReady!: (nc: NatsConnection) => void;
  private rejectReady!: (error: Error) => void;
  /** Connect listeners run one after another, in registration order, whenever they were registered. */
  private listeners: Promise<void>;
  private startListeners!: () => void;

  constructor(
    private readonly settings: NatsSettings,
    private readonly logger: MessagingLogger,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be waiting yet; a rejection at close must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.listeners = new Promise((resolve) => (this.startListeners = resolve));
  }

  /** Starts connecting; returns at once. */
  start(): void {
    void this.connectLoop();
  }

  private async connectLoop(): Promise<void> {
    try {
      const nc = await connect({
        ...connectionOptions(this.settings),
        waitOnFirstConnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        // Async stack traces cost about 1.6x publish throughput (../shared/TOOLING.md).
        noAsyncTraces: true,
      });
      if (this.closing) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.js = nc.jetstream();
      this.jsm = await nc.jetstreamManager();
      this.connected = true;
      this.logger.log(`connected to NATS at ${nc.getServer()}`);
      void this.watchStatus(nc);
      this.resolveReady(nc);
      this.startListeners();
    } catch (error) {
      this.rejectReady(error as Error);
      if (!this.closing) this.logger.error(`NATS connection failed for good: ${(error as Error).message}`);
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn(`disconnected from NATS (${String(status.data)}); reconnecting`);
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.log(`reconnected to NATS at ${String(status.data)}`);
      }
    }
  }

  /**
   * Runs `listener` once, after the first connect and after every listener registered before it
   * (so consumers start after the streams they read are provisioned).
   */
  onConnected(listener: Listener): void {
    this.listeners = this.listeners.then(listener).catch((error: unknown) => {
      this.logger.error(`on-connect step failed: ${(error as Error).message}`);
    });
  }

  whenConnected(): Promise<NatsConnection> {
    return this.ready;
  }

  isConnected(): boolean {
    return this.connected && !!this.nc && !this.nc.isClosed();
  }

  /** The JetStream client; throws at once rather than queueing while the broker is away. */
  jetstream(): JetStreamClient {
    if (!this.isConnected() || !this.js)
      throw new NatsUnavailableError(this.closing ? 'closing' : 'not connected');
    return this.js;
  }

  manager(): JetStreamManager {
    if (!this.isConnected() || !this.jsm)
      throw new NatsUnavailableError(this.closing ? 'closing' : 'not connected');
    return this.jsm;
  }

  /** The largest message (headers and body) the server takes, from its INFO; unknown while away. */
  maxPayload(): number | undefined {
    return this.nc?.info?.max_payload;
  }

  /** Round trip to the server, for readiness. */
  async ping(timeoutMs = 2000): Promise<number> {
    if (!this.isConnected() || !this.nc) throw new NatsUnavailableError('not connected');
    const started = Date.now();
    await Promise.race([
      this.nc.flush(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new NatsUnavailableError('ping timed out')), timeoutMs).unref(),
      ),
    ]);
    return Date.now() - started;
  }

  /** Drains (in-flight publishes and subscriptions finish) then closes. */
  async close(): Promise<void> {
    this.closing = true;
    this.rejectReady(new NatsUnavailableError('closing'));
    const nc = this.nc;
    this.connected = false;
    if (nc && !nc.isClosed()) {
      await nc.drain().catch(() => nc.close());
    }
  }
}
