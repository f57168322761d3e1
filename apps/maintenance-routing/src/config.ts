import { ServiceConfig } from '@plantbridge/config';

/** Settings of maintenance-routing; the shared ones are documented on ServiceConfig and in the README. */
export class MaintenanceRoutingConfig extends ServiceConfig {
  override HTTP_PORT = 3005;
}
