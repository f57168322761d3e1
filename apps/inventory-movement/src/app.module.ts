import { type DynamicModule, Module } from '@nestjs/common';
import {
  ErpConnectionPort,
  GoodsMovementsPort,
  MATERIAL_DOCUMENT_ENDPOINT,
  MATERIAL_STOCK_ENDPOINT,
  MaterialMasterPort,
  OrderComponentsPort,
  PRODUCT_ENDPOINT,
  PRODUCTION_ORDER_ENDPOINT,
  ProductionOrdersPort,
  SapErpAdapter,
  sapAdapterSettingsFrom,
  StockPort,
} from '@plantbridge/erp';
import {
  ERP_POSTING_ENTITIES,
  ERP_POSTING_MIGRATIONS,
  erpPostingFeature,
  postingTriggersHandler,
} from '@plantbridge/erp-posting';
import { PlatformModule } from '@plantbridge/service-runtime';
import { InventoryMovementConfig } from './config';
import { GOODS_MOVEMENT_ERP, GOODS_MOVEMENT_TRIGGERS, GoodsMovementKind } from './erp/goods-movement.kind';
import { ErpMaterialRecord } from './master-data/erp-material.entity';
import { ErpOrderRecord } from './master-data/erp-order.entity';
import { MasterData } from './master-data/master-data';
import { OrderComponentsController } from './master-data/order-components.controller';
import { OrderReleasedHandler } from './master-data/order-released.handler';
import { InventoryMovement1764220000000 } from './migrations/1764220000000-inventory-movement';
import { AcceptMovement } from './movements/accept-movement.usecase';
import { MaterialMovementRecord } from './movements/material-movement.entity';
import { MovementRepository } from './movements/movement.repository';
import { MovementsController } from './movements/movements.controller';
import { ConfirmedProductionHandler } from './production/confirmed-production.handler';
import { MoveConfirmedProduction } from './production/move-confirmed-production.usecase';
import {
  AutomaticMovementsRecord,
  ProductionConfirmationRecord,
} from './production/production-confirmation.entity';
import { ReconcileStock } from './stock/reconcile-stock.usecase';
import { StockController } from './stock/stock.controller';
import {
  StockEffectRecord,
  StockPositionRecord,
  StockReconciliationRecord,
} from './stock/stock-position.entity';
import { StockProjection } from './stock/stock-projection';

export const SERVICE_NAME = 'inventory-movement';

/** The OData services it calls: orders and components, material documents, stock, material master. */
const ERP_ENDPOINTS = [
  PRODUCTION_ORDER_ENDPOINT,
  MATERIAL_DOCUMENT_ENDPOINT,
  MATERIAL_STOCK_ENDPOINT,
  PRODUCT_ENDPOINT,
];

export const OPEN_API = {
  title: 'Plantbridge inventory-movement',
  description:
    'Goods issues to production orders, receipts from them, transfers, scrap and reversals from MES and WMS, posted to ERP exactly once as material documents; the stock projection and its reconciliation with ERP. Every state-changing POST takes an Idempotency-Key.',
  version: '1',
};

/** Material issue, goods receipt, transfers and scrap; exactly-once ERP postings; the stock projection. */
@Module({})
export class AppModule {
  static forConfig(config: InventoryMovementConfig): DynamicModule {
    const automatic = config.AUTO_GOODS_RECEIPT === 'true' || config.AUTO_BACKFLUSH === 'true';
    const posting = erpPostingFeature(config, [GoodsMovementKind]);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(
          {
            name: SERVICE_NAME,
            entities: [
              MaterialMovementRecord,
              ErpOrderRecord,
              ErpMaterialRecord,
              StockPositionRecord,
              StockEffectRecord,
              StockReconciliationRecord,
              ProductionConfirmationRecord,
              AutomaticMovementsRecord,
              ...ERP_POSTING_ENTITIES,
            ],
            migrations: [...ERP_POSTING_MIGRATIONS, InventoryMovement1764220000000],
          },
          config,
        ),
      ],
      controllers: [
        MovementsController,
        StockController,
        OrderComponentsController,
        ...posting.controllers,
        postingTriggersHandler(GOODS_MOVEMENT_TRIGGERS, GOODS_MOVEMENT_ERP),
        OrderReleasedHandler,
        ...(automatic ? [ConfirmedProductionHandler] : []),
      ],
      providers: [
        { provide: InventoryMovementConfig, useValue: config },
        // One adapter, one connection to ERP, seen through the port of each capability.
        {
          provide: SapErpAdapter,
          useFactory: () => new SapErpAdapter(sapAdapterSettingsFrom(config, ERP_ENDPOINTS)),
        },
        { provide: GoodsMovementsPort, useExisting: SapErpAdapter },
        { provide: StockPort, useExisting: SapErpAdapter },
        { provide: MaterialMasterPort, useExisting: SapErpAdapter },
        { provide: OrderComponentsPort, useExisting: SapErpAdapter },
        { provide: ProductionOrdersPort, useExisting: SapErpAdapter },
        { provide: ErpConnectionPort, useExisting: SapErpAdapter },
        MasterData,
        MovementRepository,
        AcceptMovement,
        StockProjection,
        ReconcileStock,
        MoveConfirmedProduction,
        ...posting.providers,
      ],
    };
  }
}
