import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * What the gateway remembers of each tag (a counter's last value, an alarm tag's state, a machine
 * state and since when), keyed by endpoint and node: two identical machines on two endpoints expose
 * the same node ids, and `counter_state`, keyed by node id alone, mixed their counts up. Its rows
 * move here under the endpoint id '' (not known to a migration): the gateway gives each to the one
 * endpoint that maps its node id at boot, and drops those that several endpoints map (their value
 * was a mixture of machines).
 */
export class TagState1764210000000 implements MigrationInterface {
  name = 'TagState1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tag_state',
        columns: [
          { name: 'endpoint_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'node_id', type: 'varchar', length: '255', isPrimary: true },
          // JSON, so a 64-bit counter or a state with its start time fit the same column.
          { name: 'state', type: 'text' },
          { name: 'updated_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    // Raw SQL is not qualified by TypeORM: the service's PostgreSQL schema is named here.
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const table = (name: string) => (schema ? `"${schema}"."${name}"` : `"${name}"`);
    await queryRunner.query(
      `INSERT INTO ${table('tag_state')} (endpoint_id, node_id, state, updated_at)
       SELECT '', node_id, '{"counter":' || CAST(last_value AS VARCHAR(20)) || '}', updated_at
       FROM ${table('counter_state')}`,
    );
    await queryRunner.dropTable('counter_state');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
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
    await queryRunner.dropTable('tag_state');
  }
}
