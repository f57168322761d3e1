import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { IntSetting, IsTimeZone } from './setting-rules';

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

  /** PostgreSQL in production; unset means SQLite in DATA_DIR (the embedded default). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

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
}
