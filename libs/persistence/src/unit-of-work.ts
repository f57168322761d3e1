import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { toRawMessage } from '@plantbridge/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox/outbox-message.entity';

/** What work inside a transaction gets: the transaction's manager, and events to publish if it commits. */
export interface Transaction {
  manager: EntityManager;
  /** Writes the event to the outbox in this transaction; it is relayed to JetStream after commit. */
  publish(event: CanonicalEvent): Promise<void>;
}

/**
 * Runs state changes and the events that report them in one database transaction (the
 * transactional outbox), then wakes the relay so events leave within milliseconds, not a poll.
 */
export class UnitOfWork {
  private readonly afterCommit = new Set<() => void>();
  /** SQLite has one writer; queueing here avoids nested BEGINs on the shared connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

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
          await manager.insert(OutboxMessage, toOutboxRow(event));
          wroteEvents = true;
        },
      }),
    );
    if (wroteEvents) for (const listener of this.afterCommit) listener();
    return result;
  }

  /** A plain transaction; every transaction of the service goes through here (see `queue`). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const transaction = () => this.dataSource.transaction(work);
    return this.isSqlite() ? this.serialized(transaction) : transaction();
  }

  private isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
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
