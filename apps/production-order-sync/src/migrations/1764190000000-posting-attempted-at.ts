import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

const ATTEMPTED_AT = new TableColumn({
  name: 'attempted_at',
  type: 'varchar',
  length: '30',
  isNullable: true,
});

/**
 * When a posting's last attempt went to ERP. ERP may commit a write after our client gave up on it
 * and after a first lookup found nothing, so an in-doubt posting is sent again only once ERP's own
 * request limit has passed since then. Rows from before this migration have none: their lookups
 * treat the limit as passed, as the worker did before.
 */
export class PostingAttemptedAt1764190000000 implements MigrationInterface {
  name = 'PostingAttemptedAt1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('erp_posting', ATTEMPTED_AT);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('erp_posting', ATTEMPTED_AT);
  }
}
