import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A message whose effect is committed, per consumer. Its primary key is what makes effects exactly-once. */
@Entity({ name: 'inbox_message' })
export class InboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  consumer!: string;

  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 100 })
  messageId!: string;

  @Column({ name: 'processed_at', type: 'varchar', length: 30 })
  processedAt!: string;
}
