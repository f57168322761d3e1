import { InvalidConfigError, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

describe('loadConfig', () => {
  it('fills defaults and converts numbers', () => {
    const config = loadConfig(ServiceConfig, { HTTP_PORT: '3001' });
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
    expect(() => loadConfig(ServiceConfig, {})).toThrow(/HTTP_PORT: .*\(not set\)/);
  });

  it('accepts a NATS cluster list', () => {
    expect(
      loadConfig(ServiceConfig, { HTTP_PORT: '1', NATS_URL: 'nats://a:4222, nats://b:4222' }).NATS_URL,
    ).toContain('b:4222');
  });
});
