import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import type { ProductionOrderSyncConfig } from './config';

export const SERVICE_NAME = 'production-order-sync';

/** Order release from ERP, MES acknowledgements and confirmations, exactly-once ERP postings. */
@Module({})
export class AppModule {
  static forConfig(config: ProductionOrderSyncConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot({ name: SERVICE_NAME }, config)] };
  }
}
