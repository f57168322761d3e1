import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** The state of each OPC UA condition (Alarms & Conditions) per endpoint (PostgreSQL and SQLite). */
export class AlarmConditionState1764220000000 implements MigrationInterface {
  name = 'AlarmConditionState1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'alarm_condition_state',
        columns: [
          { name: 'endpoint_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'condition_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'equipment_id', type: 'varchar', length: '64' },
          { name: 'last_event_id', type: 'text' },
          { name: 'active', type: 'boolean' },
          { name: 'active_since', type: 'varchar', length: '30', isNullable: true },
          { name: 'acked', type: 'boolean' },
          { name: 'severity', type: 'integer' },
          { name: 'message', type: 'text' },
          { name: 'source_node', type: 'text' },
          { name: 'source_name', type: 'text' },
          { name: 'suppressed_or_shelved', type: 'boolean' },
          { name: 'updated_at', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('alarm_condition_state');
  }
}
