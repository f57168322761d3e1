import type { EntityManager } from 'typeorm';
import type { ErpPostingRecord, PostingState } from '../src/ledger/erp-posting.entity';
import { testClock } from './fault-scripted-erp';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The ledger's transitions over one in-memory row, with the same conditional claim as
 * PostingLedger; nothing waits for it (the worker's ordering is tested on the real ledger).
 */
export class MemoryLedger {
  row: ErpPostingRecord;
  readonly manager = {} as EntityManager;

  constructor(postingKey: string, kind: string) {
    this.row = {
      postingKey,
      kind,
      plant: 'P100',
      reference: postingKey,
      state: 'pending',
      attempts: 0,
      lastError: null,
      erpCode: null,
      erpDocument: null,
      claimedUntil: null,
      attemptedAt: null,
      createdAt: iso(testClock.now),
      updatedAt: iso(testClock.now),
      postedAt: null,
    };
  }

  async find(): Promise<ErpPostingRecord> {
    return { ...this.row };
  }
  async waitingFor(): Promise<{ key: string; failed: boolean } | undefined> {
    return undefined;
  }
  async nextOpen(): Promise<ErpPostingRecord | undefined> {
    return undefined;
  }
  async claim(seen: ErpPostingRecord, leaseMs: number): Promise<boolean> {
    if (seen.state !== this.row.state || seen.attempts !== this.row.attempts) return false;
    this.set('in-flight', {
      attempts: seen.attempts + 1,
      claimedUntil: iso(Date.now() + leaseMs),
      ...(seen.state === 'pending' ? { attemptedAt: iso(Date.now()) } : {}),
    });
    return true;
  }
  async sendingAgain(_key: string, claimedAttempts: number, leaseMs: number): Promise<boolean> {
    if (this.row.state !== 'in-flight' || this.row.attempts !== claimedAttempts) return false;
    this.set('in-flight', {
      attempts: claimedAttempts + 1,
      attemptedAt: iso(Date.now()),
      claimedUntil: iso(Date.now() + leaseMs),
    });
    return true;
  }
  async release(_key: string, state: PostingState, error: string, sentBy?: number): Promise<void> {
    this.set(state, {
      lastError: error,
      claimedUntil: null,
      ...(sentBy === undefined ? {} : { attemptedAt: iso(sentBy) }),
    });
  }
  async markPosted(_key: string, erpDocument: string): Promise<void> {
    this.set('posted', { erpDocument, claimedUntil: null });
  }
  async markFailed(
    _key: string,
    reason: string,
    erpCode: string | null,
    _event: unknown,
    settled = false,
  ): Promise<void> {
    this.set('failed', {
      lastError: reason,
      erpCode,
      claimedUntil: null,
      ...(settled ? { attemptedAt: null } : {}),
    });
  }
  async note(_key: string, why: string): Promise<void> {
    this.row = { ...this.row, lastError: why };
  }
  /** The lease of a crashed worker runs out. */
  expireLease(): void {
    this.row.claimedUntil = iso(Date.now() - 1);
  }
  /** The exception queue's retry: back in as in doubt, so ERP is asked first. */
  retryByOperator(): void {
    this.row = { ...this.row, state: 'in-doubt' };
  }
  private set(state: PostingState, changes: Partial<ErpPostingRecord>): void {
    this.row = { ...this.row, ...changes, state };
  }
}
