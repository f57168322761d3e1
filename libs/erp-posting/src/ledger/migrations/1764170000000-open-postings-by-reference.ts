import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

const INDEX = new TableIndex({
  name: 'erp_posting_plant_reference_state',
  columnNames: ['plant', 'reference', 'state'],
});

/**
 * The posting worker asks, for every posting, whether an earlier one of the same order operation is
 * still open. Through this index that reads the few open postings of the operation, not every
 * confirmation the operation ever had.
 */
export class OpenPostingsByReference1764170000000 implements MigrationInterface {
  name = 'OpenPostingsByReference1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('erp_posting', INDEX);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('erp_posting', INDEX);
  }
}
