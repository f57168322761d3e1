import { type DynamicModule, Module } from '@nestjs/common';
import {
  CONFIRMATION_ENDPOINT,
  ConfirmationsPort,
  ErpConnectionPort,
  PRODUCTION_ORDER_ENDPOINT,
  ProductionOrdersPort,
  SapErpAdapter,
  sapAdapterSettingsFrom,
} from '@plantbridge/erp';
import {
  ERP_POSTING_ENTITIES,
  ERP_POSTING_MIGRATIONS,
  erpPostingFeature,
  postingTriggersHandler,
} from '@plantbridge/erp-posting';
import { PlatformModule } from '@plantbridge/service-runtime';
import { ProductionOrderSyncConfig } from './config';
import { AcceptConfirmation } from './confirmations/accept-confirmation.usecase';
import { ConfirmationRecord } from './confirmations/confirmation.entity';
import { ConfirmationRepository } from './confirmations/confirmation.repository';
import { ConfirmationsController } from './confirmations/confirmations.controller';
import { ProductionCountsHandler } from './confirmations/production-counts.handler';
import {
  CONFIRMATION_ERP,
  CONFIRMATION_TRIGGERS,
  OperationConfirmationKind,
} from './erp/operation-confirmation.kind';
import { OrdersConfirmationsLedger1764160000000 } from './migrations/1764160000000-orders-confirmations-ledger';
import { OrderCommands } from './orders/order-commands.usecase';
import { OrderReleasePoller } from './orders/order-release.poller';
import { OrderRepository } from './orders/order.repository';
import { OrdersController } from './orders/orders.controller';
import { OrderReleaseCursor, ProductionOrderRecord } from './orders/production-order.entity';

export const SERVICE_NAME = 'production-order-sync';

/** The OData services it calls: orders, and confirmations. */
const ERP_ENDPOINTS = [PRODUCTION_ORDER_ENDPOINT, CONFIRMATION_ENDPOINT];

export const OPEN_API = {
  title: 'Plantbridge production-order-sync',
  description:
    'Production orders released by ERP, MES acknowledgements and operation progress, and operation confirmations posted to ERP exactly once. Every state-changing POST takes an Idempotency-Key.',
  version: '1',
};

/** Order release from ERP, MES acknowledgements and confirmations, exactly-once ERP postings. */
@Module({})
export class AppModule {
  static forConfig(config: ProductionOrderSyncConfig): DynamicModule {
    const handlers = config.AUTO_CONFIRM_COUNTS === 'true' ? [ProductionCountsHandler] : [];
    const posting = erpPostingFeature(config, [OperationConfirmationKind]);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(
          {
            name: SERVICE_NAME,
            entities: [
              ProductionOrderRecord,
              OrderReleaseCursor,
              ConfirmationRecord,
              ...ERP_POSTING_ENTITIES,
            ],
            migrations: [...ERP_POSTING_MIGRATIONS, OrdersConfirmationsLedger1764160000000],
          },
          config,
        ),
      ],
      controllers: [
        OrdersController,
        ConfirmationsController,
        ...posting.controllers,
        postingTriggersHandler(CONFIRMATION_TRIGGERS, CONFIRMATION_ERP),
        ...handlers,
      ],
      providers: [
        { provide: ProductionOrderSyncConfig, useValue: config },
        // One adapter, one connection to ERP, seen through the port of each capability.
        {
          provide: SapErpAdapter,
          useFactory: () => new SapErpAdapter(sapAdapterSettingsFrom(config, ERP_ENDPOINTS)),
        },
        { provide: ProductionOrdersPort, useExisting: SapErpAdapter },
        { provide: ConfirmationsPort, useExisting: SapErpAdapter },
        { provide: ErpConnectionPort, useExisting: SapErpAdapter },
        OrderRepository,
        OrderCommands,
        OrderReleasePoller,
        ConfirmationRepository,
        AcceptConfirmation,
        ...posting.providers,
      ],
    };
  }
}
