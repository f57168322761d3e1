import { readFileSync } from 'node:fs';
import type { ErpServiceConfig } from '@plantbridge/config';
import { DEFAULT_RESILIENCE } from './resilience';
import type { ErpAuth } from './sap/credentials';
import type { SapAdapterSettings } from './sap/sap-erp-adapter';

/**
 * The SAP adapter's settings from a service's validated ERP_* configuration; `endpoints` are the
 * OData services it calls (see SapAdapterSettings).
 */
export function sapAdapterSettingsFrom(
  config: ErpServiceConfig,
  endpoints?: readonly string[],
): SapAdapterSettings {
  return {
    endpoints,
    baseUrl: config.ERP_BASE_URL,
    auth: erpAuthFrom(config),
    ca: config.ERP_CA_FILE ? readFileSync(config.ERP_CA_FILE, 'utf8') : undefined,
    sapClient: config.ERP_SAP_CLIENT,
    timeoutMs: config.ERP_TIMEOUT_MS,
    batchSize: config.ERP_BATCH_SIZE,
    timeZone: config.PLANT_TIME_ZONE,
    resilience: {
      ...DEFAULT_RESILIENCE,
      maxInFlight: config.ERP_MAX_IN_FLIGHT,
      maxInFlightByEndpoint: parseEndpointLimits(config.ERP_MAX_IN_FLIGHT_BY_ENDPOINT),
      maxAttempts: config.ERP_RETRY_MAX_ATTEMPTS,
      breakerThreshold: config.ERP_BREAKER_THRESHOLD,
      halfOpenAfterMs: config.ERP_BREAKER_HALF_OPEN_MS,
    },
  };
}

/** The credentials ERP_AUTH names, from the settings the config already checked for it. */
export function erpAuthFrom(config: ErpServiceConfig): ErpAuth {
  switch (config.ERP_AUTH ?? (config.ERP_USER ? 'basic' : 'none')) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', user: config.ERP_USER ?? '', password: config.ERP_PASSWORD ?? '' };
    case 'oauth2':
      return {
        kind: 'oauth2',
        tokenUrl: config.ERP_OAUTH_TOKEN_URL ?? '',
        clientId: config.ERP_OAUTH_CLIENT_ID ?? '',
        clientSecret: config.ERP_OAUTH_CLIENT_SECRET ?? '',
        scope: config.ERP_OAUTH_SCOPE,
      };
    case 'x509':
      return {
        kind: 'x509',
        cert: readFileSync(config.ERP_CLIENT_CERT_FILE ?? '', 'utf8'),
        key: readFileSync(config.ERP_CLIENT_KEY_FILE ?? '', 'utf8'),
        passphrase: config.ERP_CLIENT_KEY_PASSPHRASE,
      };
  }
}

/** `API_PRODUCTION_ORDER_2_SRV=2,API_PROD_ORDER_CONFIRMATION_2_SRV=64` (already checked by the config). */
export function parseEndpointLimits(setting: string | undefined): Record<string, number> {
  if (!setting) return {};
  return Object.fromEntries(
    setting.split(',').map((pair) => {
      const [endpoint, limit] = pair.split('=');
      return [endpoint, Number(limit)];
    }),
  );
}

/**
 * Postings a worker should hold at once for one ERP endpoint: twice what ERP can be working on
 * (the endpoint's in-flight limit, × ERP_BATCH_SIZE when the endpoint takes postings in `$batch`
 * requests), so the next full batch gathers while the last is in flight. With fewer, a slow ERP's
 * calls go out part-filled.
 */
export function postingCapacity(
  config: ErpServiceConfig,
  erp: { endpoint: string; batched: boolean },
): number {
  const limit = parseEndpointLimits(config.ERP_MAX_IN_FLIGHT_BY_ENDPOINT)[erp.endpoint];
  return 2 * (limit ?? config.ERP_MAX_IN_FLIGHT) * (erp.batched ? config.ERP_BATCH_SIZE : 1);
}
