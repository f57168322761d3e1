import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Open production-count periods of the edge gateway (PostgreSQL and SQLite). */
export class CountPeriods1764180000000 implements MigrationInterface {
  name = 'CountPeriods1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'count_period',
        columns: [
          { name: 'equipment_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'manufacturing_order', type: 'varchar', length: '12' },
          { name: 'operation', type: 'varchar', length: '4' },
          { name: 'unit', type: 'varchar', length: '3' },
          { name: 'good_count', type: 'integer' },
          { name: 'scrap_count', type: 'integer' },
          { name: 'period_start', type: 'varchar', length: '30' },
          { name: 'period_end', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('count_period');
  }
}
