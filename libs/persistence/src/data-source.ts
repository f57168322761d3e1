import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSourceOptions, MigrationInterface } from 'typeorm';
import { InboxMessage } from './inbox/inbox-message.entity';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity';
import { InboxAndOutbox1764140000000 } from './migrations/1764140000000-inbox-and-outbox';
import { IdempotencyKeys1764150000000 } from './migrations/1764150000000-idempotency-keys';
import { OutboxMessage } from './outbox/outbox-message.entity';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer';

export interface DatabaseSettings {
  /** Names the SQLite file and the migrations table. */
  serviceName: string;
  /** postgres:// URL; when absent, SQLite in `dataDir` (the embedded default). */
  databaseUrl?: string;
  /** PostgreSQL schema for this service's tables. */
  schema?: string;
  /**
   * TLS to PostgreSQL, on when any file is given: the server's certificate is verified against the
   * CA (else the system's CAs); a client certificate and key for `cert` authentication.
   */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** PostgreSQL's connection pool (default 10 connections, 10 s to get one). */
  pool?: { size: number; acquireTimeoutMs: number };
  dataDir: string;
  /** The service's own entities and migrations, listed as classes so they survive bundling. */
  entities?: EntityClass[];
  migrations?: MigrationClass[];
}

export type EntityClass = new () => object;
export type MigrationClass = new () => MigrationInterface;

/** The platform's own tables, in every service database. */
export const PLATFORM_ENTITIES = [InboxMessage, OutboxMessage, IdempotencyRecord];
export const PLATFORM_MIGRATIONS = [InboxAndOutbox1764140000000, IdempotencyKeys1764150000000];

/**
 * PostgreSQL when a URL is given, else SQLite through better-sqlite3 in the data folder. Migrations
 * run at boot; `synchronize` is never on, so the schema is what the migrations say.
 */
export function dataSourceOptionsFor(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    entities: [...PLATFORM_ENTITIES, ...(settings.entities ?? [])],
    migrations: [...PLATFORM_MIGRATIONS, ...(settings.migrations ?? [])],
    migrationsRun: true,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: ['error' as const, 'warn' as const, 'migration' as const],
  };
  if (settings.databaseUrl) {
    return {
      type: 'postgres',
      url: settings.databaseUrl,
      schema: settings.schema,
      applicationName: settings.serviceName,
      ...(usesTls(settings.tls) ? { ssl: tlsOptions(settings.tls) } : {}),
      extra: {
        max: settings.pool?.size ?? 10,
        // Bounded, so a pool deadlock (a transaction waiting for a second connection while every
        // connection is held by such a transaction) fails those requests instead of the service.
        connectionTimeoutMillis: settings.pool?.acquireTimeoutMs ?? 10_000,
      },
      ...common,
    };
  }
  const dir = resolve(settings.dataDir);
  mkdirSync(dir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(dir, `${settings.serviceName}.sqlite`),
    // WAL lets readers (health checks, REST queries) run while the relay or a consumer writes.
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      // Checkpoints run in a thread of their own (SqliteCheckpointer); this is the fallback.
      db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    },
    ...common,
  };
}

type TlsFiles = NonNullable<DatabaseSettings['tls']>;

// A client certificate alone must not mean a connection in plain text.
const usesTls = (tls?: TlsFiles): tls is TlsFiles => Boolean(tls?.caFile || tls?.certFile || tls?.keyFile);

/** node-postgres `ssl` from PEM files: the server must present a certificate the CA signed. */
function tlsOptions(tls: TlsFiles) {
  const read = (file?: string) => (file ? readFileSync(file, 'utf8') : undefined);
  return { ca: read(tls.caFile), cert: read(tls.certFile), key: read(tls.keyFile), rejectUnauthorized: true };
}
