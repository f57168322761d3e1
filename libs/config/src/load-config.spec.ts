import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErpServiceConfig } from './erp-service-config';
import { InvalidConfigError, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

/** Tests of other settings: a service needs a token issuer unless AUTH_MODE=none. */
const NO_AUTH = { AUTH_MODE: 'none' };

describe('loadConfig', () => {
  it('asks for the token issuer and its keys at boot, unless AUTH_MODE=none', () => {
    expect(() => loadConfig(ServiceConfig, { HTTP_PORT: '3001' })).toThrow(
      /AUTH_ISSUER is needed for AUTH_MODE=jwt[\s\S]*AUTH_JWKS_URL \(an https:\/\/ URL, or http:\/\/ on this host\) or AUTH_JWKS_FILE is needed/,
    );
    const jwks = loadConfig(ServiceConfig, {
      HTTP_PORT: '3001',
      AUTH_ISSUER: 'https://login.example.com/realms/plant',
      AUTH_JWKS_URL: 'https://login.example.com/realms/plant/protocol/openid-connect/certs',
    });
    expect(jwks).toMatchObject({
      AUTH_MODE: 'jwt',
      AUTH_AUDIENCE: 'plantbridge',
      MANAGEMENT_ACCESS: 'token',
    });
    expect(() =>
      loadConfig(ServiceConfig, {
        HTTP_PORT: '3001',
        AUTH_ISSUER: 'x',
        AUTH_JWKS_FILE: '/nowhere/jwks.json',
      }),
    ).toThrow(/AUTH_JWKS_FILE/);
    expect(loadConfig(ServiceConfig, { HTTP_PORT: '3001', AUTH_MODE: 'none' }).AUTH_MODE).toBe('none');
    // Settings that would switch a check off: an empty issuer or audience, keys over plain http.
    expect(() =>
      loadConfig(ServiceConfig, {
        HTTP_PORT: '3001',
        AUTH_ISSUER: '',
        AUTH_AUDIENCE: '',
        AUTH_JWKS_URL: 'http://keys.example.com/certs',
      }),
    ).toThrow(
      /AUTH_ISSUER must not be empty[\s\S]*AUTH_AUDIENCE must not be empty[\s\S]*AUTH_JWKS_URL \(an https/,
    );
    const local = { HTTP_PORT: '3001', AUTH_ISSUER: 'x', AUTH_JWKS_URL: 'http://127.0.0.1:8080/certs' };
    expect(loadConfig(ServiceConfig, local).AUTH_JWKS_URL).toBe('http://127.0.0.1:8080/certs');
  });

  it('fills defaults and converts numbers', () => {
    const config = loadConfig(ServiceConfig, {
      ...NO_AUTH,
      HTTP_PORT: '3001',
    });
    expect(config).toMatchObject({
      HTTP_PORT: 3001,
      PLANT_ID: 'P100',
      NATS_URL: 'nats://127.0.0.1:4222',
      DATA_DIR: './.data',
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad setting in one error', () => {
    let error: unknown;
    try {
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: 'eighty',
        NATS_URL: 'http://x',
        DATABASE_URL: 'mysql://db',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/HTTP_PORT: .*HTTP_PORT must be a whole number/);
    expect(message).toContain('(got "eighty")');
    expect(message).toContain('NATS_URL: NATS_URL must be one or more nats:// URLs');
    expect(message).toContain('DATABASE_URL: DATABASE_URL must be a postgres:// URL');
    expect(message).toContain('LOG_LEVEL:');
    expect((error as InvalidConfigError).problems).toHaveLength(4);
  });

  it('says when a required setting is missing', () => {
    expect(() =>
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
      }),
    ).toThrow(/HTTP_PORT: .*\(not set\)/);
  });

  it("takes the plant's time zone as an IANA name and refuses anything else at boot", () => {
    expect(
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: '1',
      }).PLANT_TIME_ZONE,
    ).toBe('UTC');
    expect(
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: '1',
        PLANT_TIME_ZONE: 'America/Chicago',
      }).PLANT_TIME_ZONE,
    ).toBe('America/Chicago');
    expect(() =>
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: '1',
        PLANT_TIME_ZONE: 'CET+1',
      }),
    ).toThrow(/PLANT_TIME_ZONE must be an IANA time zone/);
  });

  it('reads a secret from the file its _FILE setting names, never both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    try {
      writeFileSync(join(dir, 'erp-password'), 'from-a-file\n');
      const env = {
        ...NO_AUTH,
        HTTP_PORT: '1',
        ERP_USER: 'PB',
        ERP_PASSWORD_FILE: join(dir, 'erp-password'),
      };
      expect(loadConfig(ErpServiceConfig, env).ERP_PASSWORD).toBe('from-a-file');
      expect(() =>
        loadConfig(ErpServiceConfig, {
          ...NO_AUTH,
          ...env,
          ERP_PASSWORD: 'x',
        }),
      ).toThrow(/set one/);
      expect(() =>
        loadConfig(ErpServiceConfig, {
          ...NO_AUTH,
          ...env,
          ERP_PASSWORD_FILE: join(dir, 'nope'),
        }),
      ).toThrow(/ERP_PASSWORD_FILE: cannot read .*nope \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks for what the chosen ERP authentication needs, at boot', () => {
    const base = { HTTP_PORT: '1' };
    expect(() =>
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        ...base,
        ERP_AUTH: 'oauth2',
      }),
    ).toThrow(/ERP_OAUTH_TOKEN_URL[\s\S]*ERP_OAUTH_CLIENT_ID[\s\S]*ERP_OAUTH_CLIENT_SECRET/);
    expect(() =>
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        ...base,
        ERP_USER: 'PB',
      }),
    ).toThrow(/ERP_PASSWORD/);
    expect(() =>
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        ...base,
        ERP_AUTH: 'x509',
        ERP_CLIENT_KEY_FILE: '/nonexistent/key.pem',
      }),
    ).toThrow(/ERP_CLIENT_CERT_FILE[\s\S]*ERP_CLIENT_KEY_FILE must name a file this process can read/);
    expect(loadConfig(ErpServiceConfig, { ...NO_AUTH, ...base }).ERP_AUTH).toBeUndefined();
    expect(() =>
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        ...base,
        ERP_USER: 'PB',
        ERP_PASSWORD: '',
      }),
    ).toThrow(/ERP_PASSWORD must not be empty/);
    const cert = __filename; // any readable file: the check here is the scheme
    expect(() =>
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        ...base,
        ERP_AUTH: 'x509',
        ERP_CLIENT_CERT_FILE: cert,
        ERP_CLIENT_KEY_FILE: cert,
      }),
    ).toThrow(/ERP_AUTH=x509 needs an https:\/\/ ERP_BASE_URL/);
  });

  it('accepts a NATS cluster list', () => {
    expect(
      loadConfig(ServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: '1',
        NATS_URL: 'nats://a:4222, nats://b:4222',
      }).NATS_URL,
    ).toContain('b:4222');
  });

  it('takes in-flight limits per ERP endpoint as SERVICE=N pairs from 1 to 1024', () => {
    const limits = 'API_PRODUCTION_ORDER_2_SRV=2,API_PROD_ORDER_CONFIRMATION_2_SRV=1024';
    expect(
      loadConfig(ErpServiceConfig, {
        ...NO_AUTH,
        HTTP_PORT: '1',
        ERP_MAX_IN_FLIGHT_BY_ENDPOINT: limits,
      }).ERP_MAX_IN_FLIGHT_BY_ENDPOINT,
    ).toBe(limits);
    for (const bad of ['API_PRODUCTION_ORDER_2_SRV', 'API_PRODUCTION_ORDER_2_SRV=0', 'A=1025', 'A=2;B=3']) {
      expect(() =>
        loadConfig(ErpServiceConfig, {
          ...NO_AUTH,
          HTTP_PORT: '1',
          ERP_MAX_IN_FLIGHT_BY_ENDPOINT: bad,
        }),
      ).toThrow(
        'ERP_MAX_IN_FLIGHT_BY_ENDPOINT must be SERVICE=N pairs separated by commas, N from 1 to 1024',
      );
    }
  });
});
