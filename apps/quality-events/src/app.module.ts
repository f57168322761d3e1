import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import type { QualityEventsConfig } from './config';

export const SERVICE_NAME = 'quality-events';

/** Inspection triggers, results, quality holds that stop goods movement, nonconformance. */
@Module({})
export class AppModule {
  static forConfig(config: QualityEventsConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot({ name: SERVICE_NAME }, config)] };
  }
}
