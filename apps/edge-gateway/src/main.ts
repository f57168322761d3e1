import { runService } from '@plantbridge/service-runtime';
import { AppModule, OPEN_API, SERVICE_NAME } from './app.module';
import { EdgeGatewayConfig } from './config';

void runService({
  name: SERVICE_NAME,
  config: EdgeGatewayConfig,
  module: (config) => AppModule.forConfig(config),
  openApi: OPEN_API,
});
