import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { isUniqueViolation, UnitOfWork } from '@plantbridge/persistence';
import { RetryLaterError } from '@plantbridge/messaging';
import { EventOrigins } from '@plantbridge/service-runtime';
import type { DataSource } from 'typeorm';
import { InventoryMovementConfig } from '../config';
import type { ErpMaterialRecord } from '../master-data/erp-material.entity';
import { MasterData } from '../master-data/master-data';
import { AcceptMovement } from '../movements/accept-movement.usecase';
import { movementTable } from '../movements/material-movement.entity';
import { movementsForConfirmation } from './confirmation-movements';
import {
  AutomaticMovementsRecord,
  automaticMovementsTable,
  productionConfirmationTable,
} from './production-confirmation.entity';

/** How long a posted confirmation waits for its `operation-confirmed` to arrive before asking again. */
const CONFIRMATION_NOT_SEEN_RETRY_MS = 2000;

/**
 * Automatic goods movements from production (AUTO_GOODS_RECEIPT, AUTO_BACKFLUSH): keeps each
 * confirmation production-order-sync accepted, and once ERP holds it (`confirmation-posted`), makes
 * its goods receipt and backflush as movements of their own, accepted like the MES's and posted to
 * ERP the same way. Their keys derive from the confirmation's, and the confirmation is marked moved
 * in the same transaction, so a replayed or redelivered confirmation never moves stock twice.
 */
@Injectable()
export class MoveConfirmedProduction implements OnApplicationBootstrap {
  private readonly logger = new Logger(MoveConfirmedProduction.name);
  /** Since when automatic movements are on (see AutomaticMovementsRecord); undefined while off. */
  private since?: string;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly masterData: MasterData,
    private readonly accept: AcceptMovement,
    private readonly origins: EventOrigins,
    @Inject(InventoryMovementConfig) private readonly config: InventoryMovementConfig,
  ) {}

  /** Remembers since when automatic movements are on, or forgets it when they are off. */
  async onApplicationBootstrap(): Promise<void> {
    const plant = this.config.PLANT_ID;
    const on = this.config.AUTO_GOODS_RECEIPT === 'true' || this.config.AUTO_BACKFLUSH === 'true';
    await this.unitOfWork.transaction(async (manager) => {
      const known = await automaticMovementsTable.findOne(manager, { plant });
      if (!on) {
        if (known) await manager.delete(AutomaticMovementsRecord, { plant });
        return;
      }
      this.since = known?.since ?? new Date().toISOString();
      if (!known) await automaticMovementsTable.insert(manager, { plant, since: this.since });
    });
    if (this.since)
      this.logger.log(`automatic goods movements for confirmations accepted since ${this.since}`);
  }

  /**
   * Keeps a confirmation until it is posted; false when it was kept before. One accepted before
   * automatic movements were on is kept as moved: it moves nothing.
   */
  async confirmed(event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>): Promise<boolean> {
    const d = event.data;
    const before = this.since === undefined || Date.parse(event.time) < Date.parse(this.since);
    try {
      return await this.unitOfWork.transaction(async (manager) => {
        if (await productionConfirmationTable.findOne(manager, { confirmationKey: d.confirmationKey }))
          return false;
        await productionConfirmationTable.insert(manager, {
          confirmationKey: d.confirmationKey,
          plant: d.plant,
          manufacturingOrder: d.manufacturingOrder,
          operation: d.operation,
          yieldQuantity: d.yieldQuantity,
          scrapQuantity: d.scrapQuantity,
          unit: d.unit,
          executionEnd: d.executionEnd,
          movedAt: before ? (this.since ?? event.time) : null,
        });
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false; // two deliveries raced; the other kept it
      throw error;
    }
  }

  /** Makes the posted confirmation's movements; false when they were made before. */
  async posted(event: CanonicalEvent<'plantbridge.production.confirmation-posted.v1'>): Promise<boolean> {
    const key = event.data.confirmationKey;
    const kept = await productionConfirmationTable.findOne(this.dataSource.manager, { confirmationKey: key });
    if (!kept)
      throw new RetryLaterError(
        `confirmation ${key} is posted, but its operation-confirmed has not arrived yet`,
        CONFIRMATION_NOT_SEEN_RETRY_MS,
      );
    if (kept.movedAt) return false;
    // ERP is read before the transaction (the last copy while ERP is away): no connection waits on ERP.
    const order = await this.masterData.refreshOrder(kept.plant, kept.manufacturingOrder);
    const materials = new Map<string, ErpMaterialRecord>();
    for (const material of new Set([order.material, ...order.components.map((c) => c.material)])) {
      const record = await this.masterData.refreshMaterial(kept.plant, material);
      if (record) materials.set(material, record);
    }
    const switches = {
      goodsReceipt: this.config.AUTO_GOODS_RECEIPT === 'true',
      backflush: this.config.AUTO_BACKFLUSH === 'true',
    };
    const { movements, skipped } = movementsForConfirmation(kept, order, materials, switches);
    const origin = this.origins.causedBy(event, kept.manufacturingOrder);
    const made = await this.unitOfWork.run(async (tx) => {
      const current = await productionConfirmationTable.findOne(
        tx.manager,
        { confirmationKey: key },
        { forUpdate: true },
      );
      if (!current || current.movedAt) return 0;
      let count = 0;
      for (const movement of movements) {
        if (await movementTable.findOne(tx.manager, { id: movement.id })) continue;
        await this.accept.accept(tx, movement, origin);
        count += 1;
      }
      await productionConfirmationTable.update(
        tx.manager,
        { confirmationKey: key },
        { movedAt: new Date().toISOString() },
      );
      return count;
    });
    for (const s of skipped) this.logger.warn(`confirmation ${key}: no automatic ${s.what}: ${s.why}`);
    if (made)
      this.logger.log(
        `confirmation ${key} of order ${kept.manufacturingOrder}: ${made} movement(s) accepted`,
      );
    return true;
  }
}
