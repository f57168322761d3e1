import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { IntSetting, IsReadableFile, IsTimeZone } from './setting-rules';

/**
 * Settings every Plantbridge service reads from its environment. Services extend this class with
 * their own settings; the README's configuration table lists them all.
 */
export class ServiceConfig {
  /** Plant code this deployment serves (one Helm release per plant). */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, {
    message: 'PLANT_ID must be a plant code (letters, digits, _ or -, up to 32)',
  })
  PLANT_ID = 'P100';

  /**
   * The plant's IANA time zone (`Europe/Berlin`, `America/Chicago`): SAP reads the dates and times
   * it is sent (posting date, execution start and end) as the plant's local ones.
   */
  @IsTimeZone()
  PLANT_TIME_ZONE = 'UTC';

  @IntSetting(1, 65535)
  HTTP_PORT!: number;

  /** One or more NATS URLs, comma separated. */
  @Matches(/^(nats|tls|wss?):\/\/[^\s,]+(,\s*(nats|tls|wss?):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be one or more nats:// URLs, comma separated',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  @IsOptional()
  @IsString()
  NATS_USER?: string;

  @IsOptional()
  @IsString()
  NATS_PASSWORD?: string;

  /** A NATS credentials file (user JWT and NKey seed), for a server with decentralized auth. */
  @IsOptional()
  @IsReadableFile()
  NATS_CREDS_FILE?: string;

  /** PEM files for TLS to NATS: the CA of the server's certificate, and a client certificate and key. */
  @IsOptional()
  @IsReadableFile()
  NATS_TLS_CA_FILE?: string;

  @ValidateIf((c: ServiceConfig) => c.NATS_TLS_KEY_FILE !== undefined)
  @IsReadableFile()
  NATS_TLS_CERT_FILE?: string;

  @ValidateIf((c: ServiceConfig) => c.NATS_TLS_CERT_FILE !== undefined)
  @IsReadableFile()
  NATS_TLS_KEY_FILE?: string;

  /**
   * `provision`: the service makes the JetStream streams it needs at boot (an administrator's
   * rights; the embedded default). `check`: it only checks they exist, as a least-privilege NATS
   * user must; `npm run provision` (or the chart's Job) makes them.
   */
  @IsIn(['provision', 'check'], { message: 'NATS_STREAMS must be provision or check' })
  NATS_STREAMS: 'provision' | 'check' = 'provision';

  /** PostgreSQL in production; unset means SQLite in DATA_DIR (the embedded default). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /**
   * PEM files for TLS to PostgreSQL: the CA of the server's certificate (set, the connection is
   * encrypted and the certificate verified), and a client certificate and key.
   */
  @IsOptional()
  @IsReadableFile()
  DATABASE_TLS_CA_FILE?: string;

  @ValidateIf((c: ServiceConfig) => c.DATABASE_TLS_KEY_FILE !== undefined)
  @IsReadableFile()
  DATABASE_TLS_CERT_FILE?: string;

  @ValidateIf((c: ServiceConfig) => c.DATABASE_TLS_CERT_FILE !== undefined)
  @IsReadableFile()
  DATABASE_TLS_KEY_FILE?: string;

  /** PostgreSQL schema for this service's tables; lets services share one database. */
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA?: string;

  /** PostgreSQL connections the service keeps open at most. */
  @IntSetting(1, 1000)
  DB_POOL_SIZE = 10;

  /**
   * How long a query waits for a free PostgreSQL connection before it fails. Without a bound, code
   * that takes a second connection while its transaction holds the first waits for ever once every
   * connection is held that way, and the service answers nothing that needs the database again.
   */
  @IntSetting(100)
  DB_POOL_ACQUIRE_TIMEOUT_MS = 10_000;

  /** Where SQLite databases and other local state live. */
  @IsString()
  DATA_DIR = './.data';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL = 'info';

  /** How long SIGTERM waits for in-flight work before the process exits anyway. */
  @IntSetting(1000)
  SHUTDOWN_TIMEOUT_MS = 20_000;

  /** How long JetStream waits for a consumer's ack before redelivering (e.g. after a crash). */
  @IntSetting(1000)
  CONSUMER_ACK_WAIT_MS = 30_000;

  /** How long an Idempotency-Key answers replays with the first response. */
  @IntSetting(1)
  IDEMPOTENCY_KEY_RETENTION_HOURS = 72;

  /** How long published outbox rows are kept for inspection before the retention sweep deletes them. */
  @IntSetting(1)
  OUTBOX_RETENTION_HOURS = 24;

  /** Longest time a client may take to send a whole request (headers and body); then 408. */
  @IntSetting(100)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Longest time a client may take to send a request's headers. */
  @IntSetting(100)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** Most HTTP connections open at once; more are closed as they come. */
  @IntSetting(1)
  HTTP_MAX_CONNECTIONS = 1024;

  /**
   * Admission control (routes marked `@Admitted()`, such as confirmations): past this event-loop
   * lag (p99 over a second) new work gets 503 with Retry-After, so what was accepted gets done.
   */
  @IntSetting(10)
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS = 100;

  /**
   * …and past this much accepted, unfinished work (for production-order-sync, confirmations not yet
   * in ERP). High by default: a plant keeps confirming through a long ERP outage; this guards the
   * database, not ERP.
   */
  @IntSetting(1)
  ADMISSION_MAX_BACKLOG = 1_000_000;

  /** The Retry-After of those 503s, in seconds. */
  @IntSetting(1, 3600)
  ADMISSION_RETRY_AFTER_S = 5;

  /** How often the outbox relay looks for unpublished rows when nothing woke it. */
  @IntSetting(50)
  OUTBOX_POLL_MS = 1000;

  /** The address the HTTP server listens on: `0.0.0.0` (all), `127.0.0.1`, or one interface's. */
  @Matches(/^[0-9a-fA-F.:]{2,45}$/, { message: 'HTTP_BIND_ADDRESS must be an IPv4 or IPv6 address' })
  HTTP_BIND_ADDRESS = '0.0.0.0';

  /**
   * `jwt`: every route but the health probes needs a bearer token (a JWT from the plant's OIDC
   * provider) with the route's scope and the plant in its `plants` claim. `none` turns that off, for
   * a developer's machine only: every caller may do everything, and the service logs a warning.
   */
  @IsIn(['jwt', 'none'], { message: 'AUTH_MODE must be jwt or none' })
  AUTH_MODE: 'jwt' | 'none' = 'jwt';

  /** The tokens' `iss`, e.g. `https://login.example.com/realms/plant`. */
  @ValidateIf((c: ServiceConfig) => c.AUTH_MODE === 'jwt')
  // Listed last, checked first: unset says "is needed", empty says "must not be empty".
  @IsNotEmpty({ message: 'AUTH_ISSUER must not be empty (an empty one checks no issuer)' })
  @IsString({ message: "AUTH_ISSUER is needed for AUTH_MODE=jwt (the tokens' iss)" })
  AUTH_ISSUER?: string;

  /** The tokens' `aud` must contain this. */
  @IsString()
  @IsNotEmpty({ message: 'AUTH_AUDIENCE must not be empty (an empty one checks no audience)' })
  AUTH_AUDIENCE = 'plantbridge';

  /** The issuer's keys: its JWKS URL (OIDC `jwks_uri`), fetched and refreshed as keys rotate… */
  @ValidateIf((c: ServiceConfig) => c.AUTH_MODE === 'jwt' && c.AUTH_JWKS_FILE === undefined)
  // https, or http on this host only: keys fetched over plain http could be swapped on the way.
  @Matches(/^(https:\/\/\S+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/\S*)?)$/, {
    message:
      'AUTH_JWKS_URL (an https:// URL, or http:// on this host) or AUTH_JWKS_FILE is needed for AUTH_MODE=jwt',
  })
  AUTH_JWKS_URL?: string;

  /** …or a JWKS file holding its public keys (configured keys, no fetching). */
  @IsOptional()
  @IsReadableFile()
  AUTH_JWKS_FILE?: string;

  /** How far token times (`exp`, `nbf`, `iat`) may be off the service's clock. */
  @IntSetting(0, 300)
  AUTH_CLOCK_SKEW_S = 30;

  /**
   * `/metrics` and the API documents (`/docs`, `/openapi.json`): `token` needs the `management:read`
   * scope; `open` serves them to anyone who reaches the port (keep the port off the plant network).
   */
  @IsIn(['token', 'open'], { message: 'MANAGEMENT_ACCESS must be token or open' })
  MANAGEMENT_ACCESS: 'token' | 'open' = 'token';

  /** Requests per second each client (token subject) may make on average; 0 turns the limit off. */
  @IntSetting(0)
  RATE_LIMIT_PER_S = 200;

  /** …and at once, above that average, before it gets 429 with Retry-After. */
  @IntSetting(1)
  RATE_LIMIT_BURST = 400;
}
