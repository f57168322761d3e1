import { runService } from '@plantbridge/service-runtime';
import { AppModule, OPEN_API, SERVICE_NAME } from './app.module';
import { InventoryMovementConfig } from './config';

void runService({
  name: SERVICE_NAME,
  config: InventoryMovementConfig,
  module: (config) => AppModule.forConfig(config),
  openApi: OPEN_API,
});
