import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { runSql, tableName, UnitOfWork } from '@plantbridge/persistence';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ErpPostingRecord, erpPostingTable, type PostingState } from './erp-posting.entity';

const iso = (ms: number) => new Date(ms).toISOString();

/** Postings a worker may still be taking to ERP. */
const OPEN_STATES: PostingState[] = ['pending', 'in-flight', 'in-doubt'];

/** A new posting, as the service that accepted its document opens it. */
export interface NewPosting {
  postingKey: string;
  kind: string;
  plant: string;
  /** Postings with the same ordering reference reach ERP in the order they were opened. */
  orderingReference?: string;
  /** When its document was accepted (ISO 8601); the posting's place in its reference's order. */
  acceptedAt: string;
}

/**
 * The ERP posting ledger: its rows, the order postings of one reference keep, and the state
 * transitions. Each transition is one short transaction; a worker claims a posting with a
 * conditional update (state and attempt count unchanged since it read them), so two deliveries of
 * the same posting never call ERP at once.
 */
@Injectable()
export class PostingLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Opens the posting of a document, pending, inside the transaction that accepts the document
   * (with the event that asks for it to be posted), so there is never one without the other.
   */
  async open(manager: EntityManager, posting: NewPosting): Promise<ErpPostingRecord> {
    if ((posting.orderingReference?.length ?? 0) > 40) {
      throw new Error(`ordering reference ${posting.orderingReference} is longer than the ledger's 40`);
    }
    const row: ErpPostingRecord = {
      postingKey: posting.postingKey,
      kind: posting.kind,
      plant: posting.plant,
      reference: posting.orderingReference ?? posting.postingKey,
      state: 'pending',
      attempts: 0,
      lastError: null,
      erpCode: null,
      erpDocument: null,
      claimedUntil: null,
      attemptedAt: null,
      createdAt: posting.acceptedAt,
      updatedAt: posting.acceptedAt,
      postedAt: null,
    };
    await erpPostingTable.insert(manager, row);
    return row;
  }

  /** The manager outside any transaction, for a kind loading its documents. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Postings not yet in ERP nor in the exception queue: the backlog admission control weighs. */
  openCount(): Promise<number> {
    return this.dataSource.manager.countBy(ErpPostingRecord, { state: In(OPEN_STATES) });
  }

  /** `manager`: a transaction's, when the caller holds one (a second connection could wait on it). */
  find(postingKey: string, manager = this.dataSource.manager): Promise<ErpPostingRecord | null> {
    return erpPostingTable.findOne(manager, { postingKey });
  }

  /** The postings of these keys, in no particular order. */
  findMany(postingKeys: string[]): Promise<ErpPostingRecord[]> {
    return this.dataSource.manager.findBy(ErpPostingRecord, { postingKey: In(postingKeys) });
  }

  /** The plant's postings in one state, oldest first (at most 1,000). */
  list(plant: string, state: PostingState): Promise<ErpPostingRecord[]> {
    return this.dataSource.manager.find(ErpPostingRecord, {
      where: { plant, state },
      order: { createdAt: 'ASC' },
      take: 1000,
    });
  }

  /** The plant's postings per state, for the status endpoint and metrics. */
  async countsByState(plant: string): Promise<Record<PostingState, number>> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(ErpPostingRecord, 'p')
      .select('p.state', 'state')
      .addSelect('COUNT(*)', 'count')
      .where('p.plant = :plant', { plant })
      .groupBy('p.state')
      .getRawMany<{ state: PostingState; count: string }>();
    const counts = { pending: 0, 'in-flight': 0, 'in-doubt': 0, posted: 0, failed: 0, discarded: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }

  /**
   * What `p` waits for, if anything: ERP must see the postings of one ordering reference in the
   * order they were accepted (a partial confirmation after the final one would be refused or
   * misread), so an earlier one of the same reference that ERP does not have yet holds it back.
   * `failed` says that one, or one before it, is in the exception queue: then `p` waits for an
   * operator (retry or discard), not for a worker, and `key` names the failed one. Inside a
   * transaction pass its manager: a second connection taken while the transaction holds one
   * deadlocks the pool once every connection is held that way (ten concurrent retries wedged a
   * service). `failureHolds` false: a failed one holds nothing back (PostingKind.failureHoldsLater).
   */
  async waitingFor(
    p: ErpPostingRecord,
    manager?: EntityManager,
    failureHolds = true,
  ): Promise<{ key: string; failed: boolean } | undefined> {
    if (!failureHolds) {
      const open = await this.neighbour(p, 'before', OPEN_STATES, manager);
      return open && { key: open.key, failed: false };
    }
    const earlier = await this.neighbour(p, 'before', [...OPEN_STATES, 'failed'], manager);
    if (!earlier) return undefined;
    if (earlier.state === 'failed') return { key: earlier.key, failed: true };
    // Only when held back at all: the open one may itself wait behind a failed one.
    const failed = await this.neighbour(p, 'before', ['failed'], manager);
    return { key: failed?.key ?? earlier.key, failed: failed !== undefined };
  }

  /** The next posting of the same ordering reference that ERP does not have yet, if any. */
  async nextOpen(p: ErpPostingRecord): Promise<ErpPostingRecord | undefined> {
    const next = await this.neighbour(p, 'after', OPEN_STATES);
    return (next && (await this.find(next.key))) ?? undefined;
  }

  /**
   * The nearest posting of the same plant, kind and ordering reference before or after `p` in ledger
   * order (`created_at`, the acceptance time, then the key), in one of `states`. One seek in the
   * ledger's index of open postings (migration 1764180000000), so the cost does not grow with a
   * backlog or with what the reference already has in ERP.
   */
  private async neighbour(
    p: ErpPostingRecord,
    side: 'before' | 'after',
    states: PostingState[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ key: string; state: PostingState } | undefined> {
    if (p.reference === p.postingKey) return undefined;
    const [op, direction] = side === 'before' ? ['<', 'DESC'] : ['>', 'ASC'];
    const { rows } = await runSql<{ posting_key: string; state: PostingState }>(
      manager,
      `SELECT posting_key, state FROM ${tableName(manager, ErpPostingRecord)} ` +
        `WHERE plant = ? AND reference = ? AND kind = ? AND state IN (${states.map(() => '?').join(', ')}) ` +
        // A row value, so the index is searched from this posting on, not filtered.
        `AND (created_at, posting_key) ${op} (?, ?) ` +
        `ORDER BY created_at ${direction}, posting_key ${direction} LIMIT 1`,
      [p.plant, p.reference, p.kind, ...states, p.createdAt, p.postingKey],
    );
    return rows[0] && { key: rows[0].posting_key, state: rows[0].state };
  }

  /**
   * Marks the posting in flight for `leaseMs`; false when another worker changed it first. A
   * pending posting is sent right after, so its `attemptedAt` is now; an uncertain one is looked up
   * first and keeps the time of the attempt it is uncertain about (see `sendingAgain`).
   */
  async claim(posting: ErpPostingRecord, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const claimed = await this.unitOfWork.transaction((m) =>
      erpPostingTable.update(
        m,
        { postingKey: posting.postingKey, state: posting.state, attempts: posting.attempts },
        {
          state: 'in-flight',
          attempts: posting.attempts + 1,
          claimedUntil: iso(now + leaseMs),
          updatedAt: iso(now),
          ...(posting.state === 'pending' ? { attemptedAt: iso(now) } : {}),
        },
      ),
    );
    return claimed === 1;
  }

  /**
   * An uncertain posting the lookup did not find goes to ERP again now: a new attempt, on a fresh
   * lease, if the row is still as this worker claimed it (`attempts` after the claim). False when
   * another worker took it over meanwhile (its lease ran out during a slow lookup), which then
   * decides from what it read, so two workers never both send it.
   */
  async sendingAgain(postingKey: string, claimedAttempts: number, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const updated = await this.unitOfWork.transaction((m) =>
      erpPostingTable.update(
        m,
        { postingKey, state: 'in-flight', attempts: claimedAttempts },
        {
          attempts: claimedAttempts + 1,
          attemptedAt: iso(now),
          claimedUntil: iso(now + leaseMs),
          updatedAt: iso(now),
        },
      ),
    );
    return updated === 1;
  }

  /**
   * Back to waiting after an attempt that did not post: `pending` (certainly not applied) or
   * `in-doubt`. `sentBy`: the latest the uncertain attempt can have been sent, when it is later than
   * the claim (a request waits for a slot before it goes).
   */
  async release(
    postingKey: string,
    state: Extract<PostingState, 'pending' | 'in-doubt'>,
    error: string,
    sentBy?: number,
  ): Promise<void> {
    await this.unitOfWork.transaction((m) =>
      erpPostingTable.update(
        m,
        { postingKey },
        {
          state,
          lastError: error,
          claimedUntil: null,
          updatedAt: iso(Date.now()),
          ...(sentBy === undefined ? {} : { attemptedAt: iso(sentBy) }),
        },
      ),
    );
  }

  /** Says why a pending posting waits, for the operator; its state does not change. */
  async note(postingKey: string, why: string): Promise<void> {
    await this.unitOfWork.transaction((m) =>
      erpPostingTable.update(
        m,
        { postingKey, state: 'pending' },
        { lastError: why, updatedAt: iso(Date.now()) },
      ),
    );
  }

  /** `alsoInTransaction`: the kind's own change for the posting (PostingKind.applyPosted). */
  async markPosted(
    postingKey: string,
    erpDocument: string,
    event: CanonicalEvent,
    alsoInTransaction?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    const now = iso(Date.now());
    await this.unitOfWork.run(async (tx) => {
      await alsoInTransaction?.(tx.manager);
      await erpPostingTable.update(
        tx.manager,
        { postingKey },
        { state: 'posted', erpDocument, erpCode: null, claimedUntil: null, postedAt: now, updatedAt: now },
      );
      await tx.publish(event);
    });
  }

  /** `settled`: no attempt of it can still commit in ERP (forgets `attemptedAt`). */
  async markFailed(
    postingKey: string,
    reason: string,
    erpCode: string | null,
    event: CanonicalEvent,
    settled = false,
  ): Promise<void> {
    await this.unitOfWork.run(async (tx) => {
      await erpPostingTable.update(
        tx.manager,
        { postingKey },
        {
          state: 'failed',
          lastError: reason,
          erpCode,
          claimedUntil: null,
          updatedAt: iso(Date.now()),
          ...(settled ? { attemptedAt: null } : {}),
        },
      );
      await tx.publish(event);
    });
  }
}
