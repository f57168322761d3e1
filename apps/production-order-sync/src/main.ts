import { runService } from '@plantbridge/service-runtime';
import { AppModule, OPEN_API, SERVICE_NAME } from './app.module';
import { ProductionOrderSyncConfig } from './config';

void runService({
  name: SERVICE_NAME,
  config: ProductionOrderSyncConfig,
  module: (config) => AppModule.forConfig(config),
  openApi: OPEN_API,
});
