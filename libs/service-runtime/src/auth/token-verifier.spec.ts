import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

describe('TokenVerifier', () => {
  let key: KeyLike;
  let verifier: TokenVerifier;
  const token = (claims: object, expiresAt: number) =>
    new SignJWT({ sub: 'mes-1', scope: 'orders:read orders:write', plants: ['P100'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://issuer')
      .setAudience('plantbridge')
      .setExpirationTime(expiresAt)
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] }),
    );
    verifier = new TokenVerifier({
      issuer: 'https://issuer',
      audience: 'plantbridge',
      jwksFile,
      clockSkewS: 0,
    });
  });
  afterEach(() => jest.useRealTimers());

  it('reads the caller from a valid token: subject, client, scopes and plants', async () => {
    const caller = await verifier.verify(
      await token({ azp: 'mes-client' }, Math.floor(Date.now() / 1000) + 600),
    );
    expect(caller).toMatchObject({ subject: 'mes-1', client: 'mes-client', plants: ['P100'] });
    expect([...caller.scopes]).toEqual(['orders:read', 'orders:write']);
  });

  it('refuses a subject that is not a string', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    await expect(verifier.verify(await token({ sub: 123 }, exp))).rejects.toThrow(
      new InvalidTokenError('sub must be 1 to 64 visible ASCII characters'),
    );
  });

  it('checks a token once, and never serves one past its expiry from what it remembers', async () => {
    const now = Date.now();
    const expiring = await token({}, Math.floor(now / 1000) + 5);
    await expect(verifier.verify(expiring)).resolves.toMatchObject({ subject: 'mes-1' });
    jest.useFakeTimers({ now: now + 10_000, doNotFake: ['nextTick', 'setImmediate'] });
    await expect(verifier.verify(expiring)).rejects.toThrow(new InvalidTokenError('the token has expired'));
  });
});
