import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

/**
 * The ERP posting ledger and its audit trail (PostgreSQL and SQLite), as first made; the migrations
 * after it change them. production-order-sync created these tables in its own first migration
 * (1764160000000) before the ledger became a library, so where they exist already this does nothing.
 */
export class ErpPostingLedger1764155000000 implements MigrationInterface {
  name = 'ErpPostingLedger1764155000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (await queryRunner.hasTable('erp_posting')) return;
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

  /**
   * Nothing: where production-order-sync made the ledger this migration ran last and made nothing,
   * and dropping the tables on its revert would lose every posting.
   */
  async down(): Promise<void> {
    return Promise.resolve();
  }
}
