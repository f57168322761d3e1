import { type CanonicalEvent, validateEvent } from '@plantbridge/canonical-model';
import { toRawMessage } from '@plantbridge/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { EntityTable } from './entity-table';
import { OutboxMessage } from './outbox/outbox-message.entity';

/** What work inside a transaction gets: the transaction's manager, and events to publish if it commits. */
export interface Transaction {
  manager: EntityManager;
  /** Writes the event to the outbox in this transaction; it is relayed to JetStream after commit. */
  publish(event: CanonicalEvent): Promise<void>;
}

/**
 * An event the service was about to store breaks the canonical rules its consumers apply. The
 * transaction rolls back, so the request that caused it fails instead of being accepted and then
 * dead-lettered downstream with its ERP posting left waiting. Seen from outside this is a bug (the
 * request rules let through what the event rules refuse), so it is not a client error.
 */
export class InvalidOutgoingEventError extends Error {
  constructor(readonly reason: string) {
    super(`refusing to publish an invalid event: ${reason}`);
    this.name = 'InvalidOutgoingEventError';
  }
}

function assertValidEvent(event: CanonicalEvent): void {
  const checked = validateEvent(event);
  if (!checked.ok) throw new InvalidOutgoingEventError(checked.reason);
}

/** Most transactions of callers committed together in one SQLite transaction. */
const MAX_GROUP = 256;
/**
 * Under load, the least time between two SQLite commits. A COMMIT blocks the event loop while it
 * writes the WAL pages it touched (measured 50-150 µs on one benchmark machine's disk, 220-480 µs on
 * another's), and transactions that queue meanwhile share it; alone, a transaction still commits at
 * once. PostgreSQL's `commit_delay` does the same.
 */
const COMMIT_INTERVAL_MS = 2;

const outbox = new EntityTable(OutboxMessage);

interface QueuedWork {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Runs state changes and the events that report them in one database transaction (the
 * transactional outbox), then wakes the relay so events leave within milliseconds, not a poll.
 *
 * On SQLite (one writer, one connection) transactions queue here, and what queued while one
 * commits goes together in the next (group commit): each caller's work runs inside its own
 * savepoint, so a failing one rolls back alone, and one COMMIT writes the WAL pages they share once.
 * Under load that turns hundreds of small commits a second into a few large ones; alone, a
 * transaction commits at once as before.
 */
export class UnitOfWork {
  private readonly afterCommit = new Set<() => void>();
  private readonly queued: QueuedWork[] = [];
  private draining = false;
  private lastCommitAt = -Infinity;

  /**
   * @param validateEvents check every event against the canonical rules before it is stored (see
   *   {@link InvalidOutgoingEventError}); off only where code, not callers, makes every event and the
   *   rate makes the check costly (the edge gateway).
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly validateEvents = true,
  ) {}

  /** Called after every commit that wrote outbox rows (the relay registers itself). */
  onEventsCommitted(listener: () => void): () => void {
    this.afterCommit.add(listener);
    return () => this.afterCommit.delete(listener);
  }

  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let wroteEvents = false;
    const result = await this.transaction((manager) =>
      work({
        manager,
        publish: async (event) => {
          if (this.validateEvents) assertValidEvent(event);
          await outbox.insert(manager, toOutboxRow(event));
          wroteEvents = true;
        },
      }),
    );
    if (wroteEvents) for (const listener of this.afterCommit) listener();
    return result;
  }

  /** A plain transaction; every transaction of the service goes through here (see the class). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type !== 'better-sqlite3') return this.dataSource.transaction(work);
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve as (value: unknown) => void, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queued.length) {
        const wait = this.lastCommitAt + COMMIT_INTERVAL_MS - performance.now();
        if (wait > 0 && this.queued.length < MAX_GROUP) await new Promise((r) => setTimeout(r, wait));
        await this.commitGroup(this.queued.splice(0, MAX_GROUP));
        this.lastCommitAt = performance.now();
      }
    } finally {
      this.draining = false;
    }
  }

  /** Commits a group of queued works; each caller gets its own result or error. */
  private async commitGroup(group: QueuedWork[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        // Alone, the work needs no savepoint: its error rolls the transaction back.
        if (group.length === 1) return void outcomes.push({ ok: true, value: await group[0].work(manager) });
        for (const item of group) outcomes.push(await this.inSavepoint(manager, item.work));
      });
    } catch (error) {
      // BEGIN or COMMIT failed, or the single work did: nothing of the group is committed.
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  private async inSavepoint(
    manager: EntityManager,
    work: (manager: EntityManager) => Promise<unknown>,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    await manager.query('SAVEPOINT unit_of_work');
    try {
      const value = await work(manager);
      await manager.query('RELEASE unit_of_work');
      return { ok: true, value };
    } catch (error) {
      // Some SQLite errors (disk full, I/O) end the whole transaction; then the group must fail,
      // or the works after this one would run outside any transaction.
      if (!this.sqliteInTransaction()) throw error;
      await manager.query('ROLLBACK TO unit_of_work');
      await manager.query('RELEASE unit_of_work');
      return { ok: false, error };
    }
  }

  private sqliteInTransaction(): boolean {
    const driver = this.dataSource.driver as unknown as { databaseConnection?: { inTransaction: boolean } };
    return driver.databaseConnection?.inTransaction ?? false;
  }
}

export function toOutboxRow(event: CanonicalEvent): Omit<OutboxMessage, 'position'> {
  const raw = toRawMessage(event);
  return {
    messageId: raw.msgId,
    subject: raw.subject,
    body: raw.data as string,
    headers: JSON.stringify(raw.headers),
    createdAt: new Date().toISOString(),
    publishedAt: null,
    attempts: 0,
    lastError: null,
  };
}
