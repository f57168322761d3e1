import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

const BY_REFERENCE = new TableIndex({
  name: 'erp_posting_plant_reference_state',
  columnNames: ['plant', 'reference', 'state'],
});

const IN_ORDER = new TableIndex({
  name: 'erp_posting_open_in_order',
  columnNames: ['plant', 'reference', 'state', 'created_at', 'posting_key'],
});

/**
 * The posting worker asks, for every posting, for the nearest open one of the same order operation
 * before (or after) it in ledger order. With the order in the index that is one index seek; with
 * only (plant, reference, state) it read and sorted every open posting of the operation, so a
 * backlog made each posting slower, and the backlog longer.
 */
export class OpenPostingsInOrder1764180000000 implements MigrationInterface {
  name = 'OpenPostingsInOrder1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('erp_posting', IN_ORDER);
    await queryRunner.dropIndex('erp_posting', BY_REFERENCE);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('erp_posting', BY_REFERENCE);
    await queryRunner.dropIndex('erp_posting', IN_ORDER);
  }
}
