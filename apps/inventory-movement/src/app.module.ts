import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import type { InventoryMovementConfig } from './config';

export const SERVICE_NAME = 'inventory-movement';

/** Material issue, goods receipt, transfers and scrap; idempotent ERP postings; honours quality holds. */
@Module({})
export class AppModule {
  static forConfig(config: InventoryMovementConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot({ name: SERVICE_NAME }, config)] };
  }
}
