import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const key = (name: string, length: number) => ({ ...text(name, length), isPrimary: true });
const quantity = (name: string) => ({ name, type: 'double precision' });
const json = (name: string) => ({ name, type: 'text' });
const flag = (name: string) => ({ name, type: 'boolean' });
const index = (name: string, columnNames: string[]) => new TableIndex({ name, columnNames });

/**
 * inventory-movement's tables (PostgreSQL and SQLite): movements, the order and material data read
 * from ERP, the stock projection with its reconciliations, and the confirmations that move stock.
 * The ERP posting ledger is the posting library's (ERP_POSTING_MIGRATIONS).
 */
export class InventoryMovement1764220000000 implements MigrationInterface {
  name = 'InventoryMovement1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'material_movement',
        columns: [
          key('id', 36),
          text('plant', 32),
          text('movement_kind', 20),
          text('goods_movement_type', 3),
          text('material', 40),
          text('storage_location', 4),
          text('receiving_storage_location', 4, true),
          text('batch', 10, true),
          quantity('quantity'),
          text('unit', 3),
          text('stock_type', 20),
          text('manufacturing_order', 12, true),
          text('reservation', 10, true),
          text('reservation_item', 4, true),
          text('movement_reason', 4, true),
          text('reverses_movement_key', 36, true),
          text('confirmation_key', 40, true),
          text('occurred_at', 30),
          text('source', 20),
          text('source_ref', 200),
          text('accepted_at', 30),
        ],
        indices: [
          index('material_movement_plant_accepted', ['plant', 'accepted_at']),
          index('material_movement_order', ['plant', 'manufacturing_order']),
          index('material_movement_material', ['plant', 'material']),
          index('material_movement_confirmation', ['confirmation_key']),
          index('material_movement_reversal', ['reverses_movement_key']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'erp_order',
        columns: [
          key('manufacturing_order', 12),
          text('plant', 32),
          text('material', 40),
          quantity('total_quantity'),
          text('unit', 3),
          text('storage_location', 4, true),
          text('erp_status', 30),
          json('operations'),
          json('components'),
          text('fetched_at', 30),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'erp_material',
        columns: [
          key('plant', 32),
          key('material', 40),
          text('base_unit', 3),
          flag('batch_managed'),
          flag('posts_to_inspection_stock'),
          json('storage_locations'),
          text('fetched_at', 30),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stock_position',
        columns: [
          key('plant', 32),
          key('material', 40),
          key('storage_location', 4),
          key('batch', 10),
          key('stock_type', 20),
          quantity('quantity'),
          text('unit', 3),
          text('opened_at', 30, true),
          text('updated_at', 30),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'stock_effect', columns: [key('movement_key', 36), text('applied_at', 30)] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stock_reconciliation',
        columns: [
          key('id', 36),
          text('plant', 32),
          text('started_at', 30),
          text('finished_at', 30),
          text('requested_by', 64),
          { name: 'positions_compared', type: 'integer' },
          { name: 'positions_opened', type: 'integer' },
          json('materials_skipped'),
          json('discrepancies'),
        ],
        indices: [index('stock_reconciliation_plant_started', ['plant', 'started_at'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'production_confirmation',
        columns: [
          key('confirmation_key', 40),
          text('plant', 32),
          text('manufacturing_order', 12),
          text('operation', 4),
          quantity('yield_quantity'),
          quantity('scrap_quantity'),
          text('unit', 3),
          text('execution_end', 30),
          text('moved_at', 30, true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'automatic_movements', columns: [key('plant', 32), text('since', 30)] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'automatic_movements',
      'production_confirmation',
      'stock_reconciliation',
      'stock_effect',
      'stock_position',
      'erp_material',
      'erp_order',
      'material_movement',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
