import { tableName } from '@plantbridge/persistence';
import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { ErpPostingRecord } from '../erp-posting.entity';

const ATTEMPTED_AT = new TableColumn({
  name: 'attempted_at',
  type: 'varchar',
  length: '30',
  isNullable: true,
});

/**
 * When a posting's last attempt went to ERP. ERP may commit a write after our client gave up on it
 * and after a first lookup found nothing, so an in-doubt posting is sent again only once ERP's own
 * request limit has passed since then. Open and failed rows from before it get their last change,
 * the latest their last attempt can have been sent (a deploy is when postings are left in flight).
 */
export class PostingAttemptedAt1764190000000 implements MigrationInterface {
  name = 'PostingAttemptedAt1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('erp_posting', ATTEMPTED_AT);
    await queryRunner.query(
      `UPDATE ${tableName(queryRunner.manager, ErpPostingRecord)} SET attempted_at = updated_at ` +
        `WHERE state IN ('in-flight', 'in-doubt', 'failed')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('erp_posting', ATTEMPTED_AT);
  }
}
