import { createSecureContext } from 'node:tls';
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
  | { kind: 'x509'; cert: string; key: string; passphrase?: string };

/** What each request to SAP carries: an Authorization header, and for X.509 the TLS connection. */
export interface ErpCredentials {
  /** The header for the next request; an OAuth token is fetched once and reused until near its end. */
  authorization(operation: string): Promise<string | undefined>;
  /**
   * SAP answered 401 to a request sent with `header`: that token is dropped (not one fetched since by
   * another request); true when another try with a new one may pass.
   */
  rejected(header: string | undefined): boolean;
  /** The connection pool requests go through (X.509: one presenting the client certificate). */
  readonly dispatcher?: Dispatcher;
  close(): Promise<void>;
}

/**
 * `ca`: the PEM of the CA that signed SAP's server certificate, when it is not a public one; it then
 * replaces the default trust store for calls to SAP (not for the OAuth token endpoint).
 */
export function credentialsFor(auth: ErpAuth, timeoutMs: number, ca?: string): ErpCredentials {
  const tls =
    auth.kind === 'x509' ? { cert: auth.cert, key: auth.key, passphrase: auth.passphrase, ca } : { ca };
  if (auth.kind === 'x509' || ca) {
    try {
      // At boot: a wrong passphrase or a key that does not match its certificate would otherwise
      // fail every connection later, which a write cannot tell from a lost answer.
      createSecureContext(tls);
    } catch (error) {
      throw new ErpConfigurationError(
        'connect',
        `the TLS settings for SAP are unusable: ${(error as Error).message}`,
      );
    }
  }
  const agent = auth.kind === 'x509' || ca ? new Agent({ connect: tls }) : undefined;
  const withAgent = (credentials: ErpCredentials): ErpCredentials =>
    agent ? Object.assign(credentials, { dispatcher: agent, close: () => agent.close() }) : credentials;
  switch (auth.kind) {
    case 'none':
    case 'x509':
      return withAgent(fixed(undefined));
    case 'basic':
      return withAgent(fixed(`Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`));
    case 'oauth2':
      return withAgent(new OAuthClientCredentials(auth, timeoutMs));
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

  rejected(header: string | undefined): boolean {
    if (this.cached?.header === header) this.cached = undefined;
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async fetch(operation: string): Promise<{ header: string; renewAt: number }> {
    // The client in the form body (RFC 6749 §2.3.1's client_secret_post), as SAP's own libraries
    // send it: XSUAA does not URL-decode a basic header, and its secrets hold '$' and '='.
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.auth.clientId,
      client_secret: this.auth.clientSecret,
    });
    if (this.auth.scope) form.set('scope', this.auth.scope);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
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
