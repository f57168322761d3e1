import { runService } from '@plantbridge/service-runtime';
import { AppModule, SERVICE_NAME } from './app.module';
import { MaintenanceRoutingConfig } from './config';

void runService({
  name: SERVICE_NAME,
  config: MaintenanceRoutingConfig,
  module: (config) => AppModule.forConfig(config),
});
