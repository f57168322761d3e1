import { type DynamicModule, Module } from '@nestjs/common';
import {
  ConfirmationsPort,
  ErpConnectionPort,
  ProductionOrdersPort,
  SapErpAdapter,
  sapAdapterSettingsFrom,
} from '@plantbridge/erp';
import { PlatformModule } from '@plantbridge/service-runtime';
import { ProductionOrderSyncConfig } from './config';
import { AcceptConfirmation } from './confirmations/accept-confirmation.usecase';
import { ConfirmationRecord } from './confirmations/confirmation.entity';
import { ConfirmationRepository } from './confirmations/confirmation.repository';
import { ConfirmationsController } from './confirmations/confirmations.controller';
import { ProductionCountsHandler } from './confirmations/production-counts.handler';
import { ErpPostingAuditRecord, ErpPostingRecord } from './erp-postings/erp-posting.entity';
import { ErpPostingHandler } from './erp-postings/erp-posting.handler';
import { FailOrphanedPosting } from './erp-postings/fail-orphaned-posting.usecase';
import { ErpPostingsController } from './erp-postings/erp-postings.controller';
import { ExceptionQueue } from './erp-postings/exception-queue.usecase';
import { LedgerMetrics } from './erp-postings/ledger-metrics';
import { PostConfirmationToErp } from './erp-postings/post-confirmation.usecase';
import { PostingBacklog } from './erp-postings/posting-backlog';
import { PostingLedger } from './erp-postings/posting-ledger';
import { OrdersConfirmationsLedger1764160000000 } from './migrations/1764160000000-orders-confirmations-ledger';
import { OpenPostingsByReference1764170000000 } from './migrations/1764170000000-open-postings-by-reference';
import { OpenPostingsInOrder1764180000000 } from './migrations/1764180000000-open-postings-in-order';
import { PostingAttemptedAt1764190000000 } from './migrations/1764190000000-posting-attempted-at';
import { OrderCommands } from './orders/order-commands.usecase';
import { OrderReleasePoller } from './orders/order-release.poller';
import { OrderRepository } from './orders/order.repository';
import { OrdersController } from './orders/orders.controller';
import { OrderReleaseCursor, ProductionOrderRecord } from './orders/production-order.entity';

export const SERVICE_NAME = 'production-order-sync';

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
              ErpPostingRecord,
              ErpPostingAuditRecord,
            ],
            migrations: [
              OrdersConfirmationsLedger1764160000000,
              OpenPostingsByReference1764170000000,
              OpenPostingsInOrder1764180000000,
              PostingAttemptedAt1764190000000,
            ],
          },
          config,
        ),
      ],
      controllers: [
        OrdersController,
        ConfirmationsController,
        ErpPostingsController,
        ErpPostingHandler,
        ...handlers,
      ],
      providers: [
        { provide: ProductionOrderSyncConfig, useValue: config },
        // One adapter, one connection to ERP, seen through the port of each capability.
        { provide: SapErpAdapter, useFactory: () => new SapErpAdapter(sapAdapterSettingsFrom(config)) },
        { provide: ProductionOrdersPort, useExisting: SapErpAdapter },
        { provide: ConfirmationsPort, useExisting: SapErpAdapter },
        { provide: ErpConnectionPort, useExisting: SapErpAdapter },
        OrderRepository,
        OrderCommands,
        OrderReleasePoller,
        ConfirmationRepository,
        AcceptConfirmation,
        PostingLedger,
        PostConfirmationToErp,
        FailOrphanedPosting,
        ExceptionQueue,
        LedgerMetrics,
        PostingBacklog,
      ],
    };
  }
}
