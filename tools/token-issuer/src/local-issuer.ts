import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Scope, SCOPES } from '@plantbridge/service-runtime';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike, SignJWT } from 'jose';

/** Every scope a Plantbridge route asks for. */
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export interface TokenRequest {
  /** The caller: `sub`, what audit trails record. */
  subject: string;
  scopes: readonly string[];
  /** Plants the caller may touch; `*` for every plant. */
  plants: readonly string[];
  /** The OAuth client (`azp`); the subject when absent. */
  client?: string;
  /** Lifetime; 12 hours by default. Negative: a token that expired that long ago (for tests). */
  ttlS?: number;
  /** Another `iss` or `aud` than the services expect (for tests). */
  issuer?: string;
  audience?: string;
}

const ISSUER = 'plantbridge-local';
const AUDIENCE = 'plantbridge';
const PRIVATE_KEY = 'issuer-key.jwk.json';
const PUBLIC_KEYS = 'jwks.json';

/**
 * A token issuer for a developer's machine and the tests, in place of the plant's OIDC provider:
 * an ES256 key pair kept in a folder (made on first use), the public half as a JWKS file the
 * services read (AUTH_JWKS_FILE), and tokens with the claims services check (iss, aud, sub, scope,
 * plants, exp). Never for a plant: its tokens come from the plant's identity provider.
 */
export class LocalIssuer {
  private constructor(
    private readonly key: KeyLike | Uint8Array,
    private readonly kid: string,
    /** The JWKS file services verify with. */
    readonly jwksFile: string,
  ) {}

  /** The issuer whose keys are in `dir`, made there if the folder holds none. */
  static async inFolder(dir: string): Promise<LocalIssuer> {
    mkdirSync(dir, { recursive: true });
    const privatePath = join(dir, PRIVATE_KEY);
    const jwksFile = join(dir, PUBLIC_KEYS);
    if (!existsSync(privatePath) || !existsSync(jwksFile)) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = `local-${Date.now().toString(36)}`;
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
      writeFileSync(privatePath, JSON.stringify(privateJwk), { mode: 0o600 });
      writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }));
    }
    const jwk = JSON.parse(readFileSync(privatePath, 'utf8')) as JWK & { kid: string };
    return new LocalIssuer(await importJWK(jwk, 'ES256'), jwk.kid, jwksFile);
  }

  /** The settings a service needs to accept this issuer's tokens. */
  env(): Record<string, string> {
    return { AUTH_MODE: 'jwt', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_FILE: this.jwksFile };
  }

  token(request: TokenRequest): Promise<string> {
    return new SignJWT({
      scope: request.scopes.join(' '),
      plants: [...request.plants],
      azp: request.client ?? request.subject,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'JWT' })
      .setIssuer(request.issuer ?? ISSUER)
      .setAudience(request.audience ?? AUDIENCE)
      .setSubject(request.subject)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (request.ttlS ?? 12 * 3600))
      .sign(this.key);
  }

  /** A token that may do everything in these plants: for tests, benchmarks and the demo's tools. */
  tokenForEverything(plants: readonly string[], subject = 'plantbridge-tools'): Promise<string> {
    return this.token({ subject, scopes: ALL_SCOPES, plants });
  }
}
