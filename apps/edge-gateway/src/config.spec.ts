import { loadConfig } from '@plantbridge/config';
import { EdgeGatewayConfig } from './config';

/** The gateway's own settings; a token issuer is another test's subject. */
const load = (env: Record<string, string>) => loadConfig(EdgeGatewayConfig, { AUTH_MODE: 'none', ...env });

describe('the store-and-forward bound (BUFFER_MAX_BYTES)', () => {
  it('is 256 MiB unless set, and takes a number of bytes', () => {
    expect(load({}).BUFFER_MAX_BYTES).toBe(268_435_456);
    expect(load({ BUFFER_MAX_BYTES: '1073741824' }).BUFFER_MAX_BYTES).toBe(1_073_741_824);
  });

  it('refuses at boot what is not a whole number of bytes, or less than 16 MiB, naming the variable', () => {
    expect(() => load({ BUFFER_MAX_BYTES: '256MiB' })).toThrow(/BUFFER_MAX_BYTES must be a whole number/);
    expect(() => load({ BUFFER_MAX_BYTES: '1000000' })).toThrow(
      /BUFFER_MAX_BYTES must not be less than 16777216 \(got "1000000"\)/,
    );
  });

  it('refuses the count limits it replaced rather than ignore a limit someone set', () => {
    expect(() => load({ BUFFER_MAX_TELEMETRY_REPORTS: '2000' })).toThrow(
      /BUFFER_MAX_TELEMETRY_REPORTS is no longer read: set BUFFER_MAX_BYTES instead/,
    );
    expect(() => load({ BUFFER_MAX_EVENTS: '1000000' })).toThrow(
      /BUFFER_MAX_EVENTS is no longer read: set BUFFER_MAX_BYTES instead/,
    );
  });
});
