import { Agent, type Dispatcher, request } from 'undici';
import { ErpConfigurationError, ErpTransientError } from '../errors';

/**
 * How the adapter authenticates at SAP, as S/4HANA communication arrangements allow: a
 * communication user (basic), OAuth 2.0 client credentials (S/4HANA Cloud), or an X.509 client
 * certificate (mutual TLS). Secrets are held here and never logged.
 */
export type ErpAuth =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }
  | { kind: 'x509'; cert: string; key: string; passphrase?: string; ca?: string };

/** What each request to SAP carries: an Authorization header, and for X.509 the TLS connection. */
export interface ErpCredentials {
  /** The header for the next request; an OAuth token is fetched once and reused until near its end. */
  authorization(operation: string): Promise<string | undefined>;
  /** SAP answered 401: a cached token is dropped; true when another try with a new one may pass. */
  rejected(): boolean;
  /** The connection pool requests go through (X.509: one presenting the client certificate). */
  readonly dispatcher?: Dispatcher;
  close(): Promise<void>;
}

export function credentialsFor(auth: ErpAuth, timeoutMs: number): ErpCredentials {
  switch (auth.kind) {
    case 'none':
      return fixed(undefined);
    case 'basic':
      return fixed(`Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`);
    case 'oauth2':
      return new OAuthClientCredentials(auth, timeoutMs);
    case 'x509': {
      const agent = new Agent({
        connect: { cert: auth.cert, key: auth.key, passphrase: auth.passphrase, ca: auth.ca },
      });
      return { ...fixed(undefined), dispatcher: agent, close: () => agent.close() };
    }
  }
}

function fixed(header: string | undefined): ErpCredentials {
  return {
    authorization: () => Promise.resolve(header),
    rejected: () => false,
    close: () => Promise.resolve(),
  };
}

/** Renewed this long before it runs out, so no request goes out with a token about to expire. */
const RENEW_BEFORE_MS = 60_000;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4) against the token endpoint of the SAP BTP or
 * S/4HANA Cloud identity service: the client authenticates with HTTP basic, the access token is
 * shared by every request until shortly before `expires_in`, and fetched once for callers that
 * arrive together.
 */
class OAuthClientCredentials implements ErpCredentials {
  private cached?: { header: string; renewAt: number };
  private fetching?: Promise<{ header: string; renewAt: number }>;

  constructor(
    private readonly auth: Extract<ErpAuth, { kind: 'oauth2' }>,
    private readonly timeoutMs: number,
  ) {}

  async authorization(operation: string): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.header;
    this.fetching ??= this.fetch(operation)
      .then((token) => (this.cached = token))
      .finally(() => (this.fetching = undefined));
    return (await this.fetching).header;
  }

  rejected(): boolean {
    this.cached = undefined;
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async fetch(operation: string): Promise<{ header: string; renewAt: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.auth.scope) form.set('scope', this.auth.scope);
    const client = Buffer.from(
      `${encodeURIComponent(this.auth.clientId)}:${encodeURIComponent(this.auth.clientSecret)}`,
    ).toString('base64');
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.auth.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${client}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      throw new ErpTransientError(operation, `no answer from the OAuth token endpoint (${code})`);
    }
    const text = await response.body.text();
    if (response.statusCode >= 500 || response.statusCode === 429)
      throw new ErpTransientError(operation, `the OAuth token endpoint answered ${response.statusCode}`);
    let body: { access_token?: unknown; expires_in?: unknown; token_type?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Named below without the body, which may echo what was sent.
    }
    if (response.statusCode !== 200 || typeof body.access_token !== 'string') {
      throw new ErpConfigurationError(
        operation,
        `the OAuth token endpoint refused client ${this.auth.clientId} (${response.statusCode})`,
      );
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    return {
      header: `Bearer ${body.access_token}`,
      renewAt: Date.now() + Math.max(lifetimeMs - RENEW_BEFORE_MS, lifetimeMs / 2),
    };
  }
}
