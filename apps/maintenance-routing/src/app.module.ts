import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import type { MaintenanceRoutingConfig } from './config';

export const SERVICE_NAME = 'maintenance-routing';

/** Machine alarms to ERP maintenance notifications, with routing rules and alarm-flood dedupe. */
@Module({})
export class AppModule {
  static forConfig(config: MaintenanceRoutingConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot({ name: SERVICE_NAME }, config)] };
  }
}
