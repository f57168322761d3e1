import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * pending: not yet sent, or certainly not applied (429, 503, refused connection).
 * in-flight: a worker holds it until `claimed_until`; found in-flight after that, it is in doubt.
 * in-doubt: sent without an answer; ERP is asked for its key before anything is sent again.
 * posted: ERP holds it. failed: in the exception queue. discarded: an operator gave up on it.
 */
export type PostingState = 'pending' | 'in-flight' | 'in-doubt' | 'posted' | 'failed' | 'discarded';

export const POSTING_STATES: readonly PostingState[] = [
  'pending',
  'in-flight',
  'in-doubt',
  'posted',
  'failed',
  'discarded',
];

/**
 * The ERP posting ledger: one row per business transaction of any kind, keyed by its ERP
 * idempotency key (SAP `ExternalSystemConfirmation` for confirmations; our own UUID for writes whose
 * ERP document has no such field, found again by another key the kind knows).
 */
@Entity({ name: 'erp_posting' })
@Index('erp_posting_state', ['state'])
@Index('erp_posting_open_in_order', ['plant', 'reference', 'state', 'createdAt', 'postingKey'])
export class ErpPostingRecord {
  @PrimaryColumn({ name: 'posting_key', type: 'varchar', length: 36 })
  postingKey!: string;

  /** The posting kind's name (see PostingKind). */
  @Column({ type: 'varchar', length: 30 })
  kind!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  /**
   * The ordering reference, `1000001/0010` for the confirmations of an order operation: postings
   * with the same reference reach ERP in the order they were accepted. A posting without one has its
   * own key here, so nothing waits for it.
   */
  @Column({ type: 'varchar', length: 40 })
  reference!: string;

  @Column({ type: 'varchar', length: 20 })
  state!: PostingState;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'erp_code', type: 'varchar', length: 40, nullable: true })
  erpCode!: string | null;

  /** ERP's document once posted (see PostingKind.documentOf). */
  @Column({ name: 'erp_document', type: 'varchar', length: 40, nullable: true })
  erpDocument!: string | null;

  @Column({ name: 'claimed_until', type: 'varchar', length: 30, nullable: true })
  claimedUntil!: string | null;

  /**
   * When the last attempt was claimed, so when ERP may have got it at the latest: an in-doubt
   * posting is not sent again before ERP_REQUEST_LIMIT_MS after it.
   */
  @Column({ name: 'attempted_at', type: 'varchar', length: 30, nullable: true })
  attemptedAt!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;

  @Column({ name: 'posted_at', type: 'varchar', length: 30, nullable: true })
  postedAt!: string | null;
}

/** Who did what to a posting in the exception queue, and why. */
@Entity({ name: 'erp_posting_audit' })
@Index('erp_posting_audit_key', ['postingKey'])
export class ErpPostingAuditRecord {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'posting_key', type: 'varchar', length: 36 })
  postingKey!: string;

  @Column({ type: 'varchar', length: 20 })
  action!: 'retry' | 'discard';

  /** The verified caller (the token's subject); with AUTH_MODE=none, the name the request gave. */
  @Column({ type: 'varchar', length: 64 })
  actor!: string;

  /** The OAuth client the caller's token was issued to, if it names one. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  client!: string | null;

  /** Whom the caller acted for, as the request says (a shift lead at a shared terminal). */
  @Column({ name: 'on_behalf_of', type: 'varchar', length: 64, nullable: true })
  onBehalfOf!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  reason!: string | null;

  @Column({ name: 'from_state', type: 'varchar', length: 20 })
  fromState!: PostingState;

  @Column({ name: 'to_state', type: 'varchar', length: 20 })
  toState!: PostingState;

  @Column({ type: 'varchar', length: 30 })
  at!: string;
}

/** Ledger rows on the hot path, without the query builder (see EntityTable). */
export const erpPostingTable = new EntityTable(ErpPostingRecord);
