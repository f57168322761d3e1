import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

const COLUMNS = [
  new TableColumn({ name: 'client', type: 'varchar', length: '64', isNullable: true }),
  new TableColumn({ name: 'on_behalf_of', type: 'varchar', length: '64', isNullable: true }),
];

/**
 * The exception queue's audit records the verified caller (the token's subject, in `actor`), the
 * OAuth client its token was issued to, and whom it acted for as the request said, which before
 * was all there was.
 */
export class AuditCaller1764200000000 implements MigrationInterface {
  name = 'AuditCaller1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('erp_posting_audit', COLUMNS);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of COLUMNS) await queryRunner.dropColumn('erp_posting_audit', column);
  }
}
