import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type NatsPermissions,
  natsUserFor,
  readerPermissions,
  type ReaderGrant,
  servicePermissions,
} from '@plantbridge/messaging';
import { SERVICE_MESSAGING } from './service-messaging';
import { type Subscriber, subscriberGrant } from './subscribers';

export interface NatsUser {
  user: string;
  password: string;
  /** Absent: every right (the administrator, who provisions streams and consumers). */
  permissions?: NatsPermissions;
}

/** The connection settings a service of a plant gets: its user, password and inbox prefix. */
export interface ServiceCredentials {
  NATS_USER: string;
  NATS_PASSWORD: string;
}

/**
 * The NATS users of a Plantbridge installation: an administrator (provisioning), one user per
 * service and plant with least privilege, and SaaS readers. Passwords are made once and kept in
 * `dir` (mode 0600), so a restarted broker and restarted services agree.
 */
export class PlantNatsUsers {
  private readonly users: NatsUser[] = [];
  private readonly passwordsFile: string;
  private readonly passwords: Record<string, string>;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.passwordsFile = join(dir, 'nats-passwords.json');
    this.passwords = existsSync(this.passwordsFile)
      ? (JSON.parse(readFileSync(this.passwordsFile, 'utf8')) as Record<string, string>)
      : {};
    this.users.push({ user: 'admin', password: this.passwordOf('admin') });
  }

  get admin(): NatsUser {
    return this.users[0];
  }

  /** Every service of `SERVICE_MESSAGING` for a plant; returns each one's connection settings. */
  addPlant(plant: string): Record<string, ServiceCredentials> {
    // A wildcard or a dot in a plant code would widen every grant made from it.
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(plant))
      throw new Error(`plant code ${JSON.stringify(plant)} is not valid`);
    const credentials: Record<string, ServiceCredentials> = {};
    for (const [service, messaging] of Object.entries(SERVICE_MESSAGING)) {
      const user = natsUserFor(service, plant);
      this.users.push({
        user,
        password: this.passwordOf(user),
        permissions: servicePermissions({ service, plant, ...messaging }),
      });
      credentials[service] = { NATS_USER: user, NATS_PASSWORD: this.passwordOf(user) };
    }
    return credentials;
  }

  /** A SaaS subscriber: reads through the consumers provisioning makes for it, nothing else. */
  addReader(grant: ReaderGrant): NatsUser {
    // Its inbox prefix is made from its name: two names must not make the same one.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(grant.user))
      throw new Error(`reader name ${JSON.stringify(grant.user)} is not valid`);
    if (this.users.some((u) => u.user === grant.user))
      throw new Error(`reader name ${JSON.stringify(grant.user)} is already a NATS user here`);
    const reader = {
      user: grant.user,
      password: this.passwordOf(grant.user),
      permissions: readerPermissions(grant),
    };
    this.users.push(reader);
    return reader;
  }

  /** The subscribers of a subscribers file (`readSubscribersFile`). */
  addSubscribers(subscribers: Subscriber[]): NatsUser[] {
    return subscribers.map((s) => this.addReader(subscriberGrant(s)));
  }

  /** A nats-server configuration with JetStream and these users; no anonymous access. */
  serverConfig(options: {
    host?: string;
    port: number;
    storeDir: string;
    maxPayload?: number;
    /**
     * TLS only: the server's certificate and key (PEM files); with `caFile`, clients must present a
     * certificate it signed.
     */
    tls?: { certFile: string; keyFile: string; caFile?: string };
  }): string {
    writeFileSync(this.passwordsFile, JSON.stringify(this.passwords), { mode: 0o600 });
    const users = this.users.map((u) => ({
      user: u.user,
      password: u.password,
      ...(u.permissions ? { permissions: u.permissions } : {}),
    }));
    // JSON is nats-server configuration syntax too; quoted strings keep `$JS…` from being variables.
    return [
      `host: ${JSON.stringify(options.host ?? '127.0.0.1')}`,
      `port: ${options.port}`,
      ...(options.maxPayload === undefined ? [] : [`max_payload: ${options.maxPayload}`]),
      `jetstream: { store_dir: ${JSON.stringify(options.storeDir)} }`,
      ...(options.tls
        ? [
            `tls: ${JSON.stringify({
              cert_file: options.tls.certFile,
              key_file: options.tls.keyFile,
              ...(options.tls.caFile ? { ca_file: options.tls.caFile, verify: true } : {}),
            })}`,
          ]
        : []),
      `authorization: ${JSON.stringify({ users }, null, 2)}`,
      '',
    ].join('\n');
  }

  private passwordOf(user: string): string {
    this.passwords[user] ??= randomBytes(24).toString('base64url');
    return this.passwords[user];
  }
}
