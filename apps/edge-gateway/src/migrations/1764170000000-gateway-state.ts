import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Counter state and production context of the edge gateway (PostgreSQL and SQLite). */
export class GatewayState1764170000000 implements MigrationInterface {
  name = 'GatewayState1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'counter_state',
        columns: [
          { name: 'node_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'last_value', type: 'integer' },
          { name: 'updated_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'production_context',
        columns: [
          { name: 'equipment_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'manufacturing_order', type: 'varchar', length: '12' },
          { name: 'operation', type: 'varchar', length: '4' },
          { name: 'since', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('production_context');
    await queryRunner.dropTable('counter_state');
  }
}
