import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const text = (name: string, length: number, isNullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});

/** The audit trail of OPC UA server certificates trusted or revoked over REST (PostgreSQL and SQLite). */
export class CertificateAudit1764200000000 implements MigrationInterface {
  name = 'CertificateAudit1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'certificate_audit',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          text('thumbprint', 40),
          text('action', 20),
          text('actor', 64),
          text('client', 64, true),
          text('subject', 255),
          text('at', 30),
        ],
        indices: [new TableIndex({ name: 'certificate_audit_thumbprint', columnNames: ['thumbprint'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('certificate_audit');
  }
}
