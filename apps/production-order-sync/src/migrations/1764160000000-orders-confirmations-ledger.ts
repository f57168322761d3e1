import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const quantity = (name: string) => ({ name, type: 'double precision' });

/** Orders, confirmations, the ERP posting ledger and its audit trail (PostgreSQL and SQLite). */
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
    await queryRunner.createTable(
      new Table({
        name: 'erp_posting',
        columns: [
          { ...text('posting_key', 36), isPrimary: true },
          text('kind', 30),
          text('plant', 32),
          text('reference', 40),
          text('state', 20),
          { name: 'attempts', type: 'integer' },
          { name: 'last_error', type: 'text', isNullable: true },
          text('erp_code', 40, true),
          text('erp_document', 40, true),
          text('claimed_until', 30, true),
          text('created_at', 30),
          text('updated_at', 30),
          text('posted_at', 30, true),
        ],
        indices: [new TableIndex({ name: 'erp_posting_state', columnNames: ['state'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'erp_posting_audit',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          text('posting_key', 36),
          text('action', 20),
          text('actor', 64),
          text('reason', 255, true),
          text('from_state', 20),
          text('to_state', 20),
          text('at', 30),
        ],
        indices: [new TableIndex({ name: 'erp_posting_audit_key', columnNames: ['posting_key'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'erp_posting_audit',
      'erp_posting',
      'confirmation',
      'order_release_cursor',
      'production_order',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
