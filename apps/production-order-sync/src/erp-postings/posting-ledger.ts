import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { UnitOfWork } from '@plantbridge/persistence';
import { type DataSource, In } from 'typeorm';
import { ErpPostingRecord, erpPostingTable, type PostingState } from './erp-posting.entity';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The ERP posting ledger's state transitions. Each is one short transaction; a worker claims a
 * posting with a conditional update (state and attempt count unchanged since it read them), so two
 * deliveries of the same posting never call ERP at once.
 */
@Injectable()
export class PostingLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Postings not yet in ERP nor in the exception queue: the backlog admission control weighs. */
  openCount(): Promise<number> {
    return this.dataSource.manager.countBy(ErpPostingRecord, {
      state: In(['pending', 'in-flight', 'in-doubt']),
    });
  }

  find(postingKey: string): Promise<ErpPostingRecord | null> {
    return erpPostingTable.findOne(this.dataSource.manager, { postingKey });
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

  async markPosted(postingKey: string, erpDocument: string, event: CanonicalEvent): Promise<void> {
    const now = iso(Date.now());
    await this.unitOfWork.run(async (tx) => {
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
