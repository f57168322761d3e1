import { ServiceConfig } from '@plantbridge/config';

/** Settings of edge-gateway; the shared ones are documented on ServiceConfig and in the README. */
export class EdgeGatewayConfig extends ServiceConfig {
  override HTTP_PORT = 3001;
}
