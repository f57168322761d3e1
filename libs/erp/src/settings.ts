import type { ErpServiceConfig } from '@plantbridge/config';
import { DEFAULT_RESILIENCE } from './resilience';
import type { SapAdapterSettings } from './sap/sap-erp-adapter';

/** The SAP adapter's settings from a service's validated ERP_* configuration. */
export function sapAdapterSettingsFrom(config: ErpServiceConfig): SapAdapterSettings {
  return {
    baseUrl: config.ERP_BASE_URL,
    user: config.ERP_USER,
    password: config.ERP_PASSWORD,
    sapClient: config.ERP_SAP_CLIENT,
    timeoutMs: config.ERP_TIMEOUT_MS,
    batchSize: config.ERP_BATCH_SIZE,
    resilience: {
      ...DEFAULT_RESILIENCE,
      maxInFlight: config.ERP_MAX_IN_FLIGHT,
      maxAttempts: config.ERP_RETRY_MAX_ATTEMPTS,
      breakerThreshold: config.ERP_BREAKER_THRESHOLD,
      halfOpenAfterMs: config.ERP_BREAKER_HALF_OPEN_MS,
    },
  };
}
