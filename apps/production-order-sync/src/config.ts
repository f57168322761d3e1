import { ServiceConfig } from '@plantbridge/config';

/** Settings of production-order-sync; the shared ones are documented on ServiceConfig and in the README. */
export class ProductionOrderSyncConfig extends ServiceConfig {
  override HTTP_PORT = 3002;
}
