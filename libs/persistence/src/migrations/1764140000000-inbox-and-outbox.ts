import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** Inbox and outbox tables. Written with TypeORM's schema API so it runs on PostgreSQL and SQLite. */
export class InboxAndOutbox1764140000000 implements MigrationInterface {
  name = 'InboxAndOutbox1764140000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'inbox_message',
        columns: [
          { name: 'consumer', type: 'varchar', length: '200', isPrimary: true },
          { name: 'message_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'processed_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'outbox_message',
        columns: [
          {
            name: 'position',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'message_id', type: 'varchar', length: '100', isUnique: true },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'body', type: 'text' },
          { name: 'headers', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'published_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'outbox_message',
      new TableIndex({ name: 'outbox_message_unpublished', columnNames: ['published_at', 'position'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_message');
    await queryRunner.dropTable('inbox_message');
  }
}
