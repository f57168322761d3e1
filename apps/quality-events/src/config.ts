import { ServiceConfig } from '@plantbridge/config';

/** Settings of quality-events; the shared ones are documented on ServiceConfig and in the README. */
export class QualityEventsConfig extends ServiceConfig {
  override HTTP_PORT = 3004;
}
