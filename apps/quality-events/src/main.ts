import { runService } from '@plantbridge/service-runtime';
import { AppModule, SERVICE_NAME } from './app.module';
import { QualityEventsConfig } from './config';

void runService({
  name: SERVICE_NAME,
  config: QualityEventsConfig,
  module: (config) => AppModule.forConfig(config),
});
