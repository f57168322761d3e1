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

/** The ERP posting ledger: one row per business transaction, keyed by its ERP idempotency key. */
@Entity({ name: 'erp_posting' })
@Index('erp_posting_state', ['state'])
@Index('erp_posting_open_in_order', ['plant', 'reference', 'state', 'createdAt', 'postingKey'])
export class ErpPostingRecord {
  /** SAP `ExternalSystemConfirmation` (a UUID). */
  @PrimaryColumn({ name: 'posting_key', type: 'varchar', length: 36 })
  postingKey!: string;

  @Column({ type: 'varchar', length: 30 })
  kind!: 'operation-confirmation';

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  /** What it posts, `1000001/0010` (see `postingReference`); open postings are found by it. */
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

  /** SAP `ConfirmationGroup/ConfirmationCount` once posted. */
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

  @Column({ type: 'varchar', length: 64 })
  actor!: string;

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

/** The ledger reference of a confirmation of an order operation: `1000001/0010`. */
export function postingReference(manufacturingOrder: string, operation: string): string {
  return `${manufacturingOrder}/${operation}`;
}
