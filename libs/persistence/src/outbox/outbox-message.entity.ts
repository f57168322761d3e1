import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An event written in the same transaction as the state change it reports, waiting to be relayed. */
@Entity({ name: 'outbox_message' })
@Index('outbox_message_unpublished', ['publishedAt', 'position'])
export class OutboxMessage {
  /** Insertion order; the relay publishes in this order. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  position!: number;

  /** The event id; sent as `Nats-Msg-Id`, so a re-relay after a crash is dropped by the stream. */
  @Column({ name: 'message_id', type: 'varchar', length: 100, unique: true })
  messageId!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  /** JSON object of message headers (trace context captured when the business transaction ran). */
  @Column({ type: 'text' })
  headers!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'published_at', type: 'varchar', length: 30, nullable: true })
  publishedAt!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
