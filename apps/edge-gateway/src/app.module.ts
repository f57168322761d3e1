import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import type { EdgeGatewayConfig } from './config';

export const SERVICE_NAME = 'edge-gateway';

/** OPC UA connectivity: tag mapping, normalized equipment events, store-and-forward (issue: edge gateway). */
@Module({})
export class AppModule {
  static forConfig(config: EdgeGatewayConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot({ name: SERVICE_NAME }, config)] };
  }
}
