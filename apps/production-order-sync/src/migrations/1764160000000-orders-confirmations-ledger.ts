import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const quantity = (name: string) => ({ name, type: 'double precision' });

/**
 * Orders and confirmations (PostgreSQL and SQLite). The ERP posting ledger, first made here too,
 * is the posting library's now: its migration 1764155000000 runs before this one and makes it.
 */
export class OrdersConfirmationsLedger1764160000000 implements MigrationInterface {
  name = 'OrdersConfirmationsLedger1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'production_order',
        columns: [
          { ...text('manufacturing_order', 12), isPrimary: true },
          text('plant', 32),
          text('material', 40),
          quantity('total_quantity'),
          text('unit', 3),
          text('scheduled_start', 30),
          text('scheduled_end', 30),
          text('erp_status', 30),
          text('mes_status', 20),
          text('rejection_reason', 255, true),
          text('acknowledged_by', 64, true),
          text('acknowledged_at', 30, true),
          { name: 'operations', type: 'text' },
          text('released_at', 30),
          text('erp_changed_at', 30),
        ],
        indices: [
          new TableIndex({ name: 'production_order_plant_status', columnNames: ['plant', 'mes_status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'order_release_cursor',
        columns: [{ ...text('plant', 32), isPrimary: true }, text('watermark', 30), text('polled_at', 30)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'confirmation',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('plant', 32),
          text('manufacturing_order', 12),
          text('operation', 4),
          text('sequence', 8),
          quantity('yield_quantity'),
          quantity('scrap_quantity'),
          quantity('rework_quantity'),
          text('unit', 3),
          { name: 'final_confirmation', type: 'boolean' },
          text('execution_start', 30),
          text('execution_end', 30),
          text('posting_date', 30, true),
          text('source', 20),
          text('source_ref', 200),
          text('accepted_at', 30),
        ],
        indices: [
          new TableIndex({
            name: 'confirmation_order_operation',
            columnNames: ['plant', 'manufacturing_order', 'operation'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['confirmation', 'order_release_cursor', 'production_order']) {
      await queryRunner.dropTable(table);
    }
  }
}
