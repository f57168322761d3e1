import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runSql, tableName } from '@plantbridge/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { MaterialMovementRecord } from '../movements/material-movement.entity';
import { type StockEffect, stockEffectsOf } from './stock-effects';
import { StockPositionRecord, stockEffectTable, stockPositionTable } from './stock-position.entity';

/**
 * The plant's stock as its posted movements make it. A movement's effect is applied in the
 * transaction that marks its ERP posting posted, once (`stock_effect`), so the projection never
 * counts a movement ERP does not hold, nor one twice.
 */
@Injectable()
export class StockProjection {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Applies a posted movement (and, for a reversal, undoes the one it reverses); false if it was applied before. */
  async apply(
    manager: EntityManager,
    movement: MaterialMovementRecord,
    reversed?: MaterialMovementRecord,
  ): Promise<boolean> {
    if (await stockEffectTable.findOne(manager, { movementKey: movement.id })) return false;
    const now = new Date().toISOString();
    await stockEffectTable.insert(manager, { movementKey: movement.id, appliedAt: now });
    for (const effect of stockEffectsOf(movement, reversed))
      await this.add(manager, movement.plant, effect, now);
    return true;
  }

  /**
   * Takes ERP's quantity as a position's opening balance, unless a movement changed the position
   * since `since` (ERP's answer may not hold that movement): then it is left for the next run. A
   * position ERP has and the projection not is added, unless a movement just added it.
   */
  async open(manager: EntityManager, position: StockPositionRecord, since: string): Promise<void> {
    const table = tableName(manager, StockPositionRecord);
    const key = [
      position.plant,
      position.material,
      position.storageLocation,
      position.batch,
      position.stockType,
    ];
    const { affected } = await runSql(
      manager,
      `UPDATE ${table} SET quantity = ?, opened_at = ?, updated_at = ? WHERE plant = ? AND material = ? ` +
        'AND storage_location = ? AND batch = ? AND stock_type = ? AND opened_at IS NULL AND updated_at < ?',
      [position.quantity, position.openedAt, position.updatedAt, ...key, since],
    );
    if (affected) return;
    await runSql(
      manager,
      `INSERT INTO ${table} (plant, material, storage_location, batch, stock_type, quantity, unit, opened_at, updated_at) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [...key, position.quantity, position.unit, position.openedAt, position.updatedAt],
    );
  }

  /** The positions of the plant, of one material when given, ordered by material and place. */
  list(plant: string, material?: string): Promise<StockPositionRecord[]> {
    return this.dataSource.manager.find(StockPositionRecord, {
      where: material ? { plant, material } : { plant },
      order: { material: 'ASC', storageLocation: 'ASC', batch: 'ASC', stockType: 'ASC' },
    });
  }

  private async add(manager: EntityManager, plant: string, effect: StockEffect, now: string): Promise<void> {
    const where = {
      plant,
      material: effect.material,
      storageLocation: effect.storageLocation,
      batch: effect.batch,
      stockType: effect.stockType,
    };
    // An increment, not a read and a write: two postings of one position never lose each other's.
    const { affected } = await runSql(
      manager,
      `UPDATE ${tableName(manager, StockPositionRecord)} SET quantity = quantity + ?, updated_at = ? ` +
        'WHERE plant = ? AND material = ? AND storage_location = ? AND batch = ? AND stock_type = ?',
      [effect.quantity, now, plant, effect.material, effect.storageLocation, effect.batch, effect.stockType],
    );
    if (affected === 0)
      await stockPositionTable.insert(manager, {
        ...where,
        quantity: effect.quantity,
        unit: effect.unit,
        openedAt: null,
        updatedAt: now,
      });
  }
}
