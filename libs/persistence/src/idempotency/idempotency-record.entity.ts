import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The outcome of a state-changing request, kept under the caller's `Idempotency-Key`. */
@Entity({ name: 'idempotency_key' })
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode!: number;

  @Column({ name: 'response_body', type: 'text' })
  responseBody!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;
}
