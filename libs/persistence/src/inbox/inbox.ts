import type { Transaction, UnitOfWork } from '../unit-of-work';
import { InboxMessage } from './inbox-message.entity';

export type InboxResult<T> = { applied: true; result: T } | { applied: false };

/**
 * Exactly-once effects for at-least-once delivery: the inbox row and the effect commit in one
 * transaction, so a redelivered message (lost ack, consumer killed before acking) finds its row and
 * is skipped. Two deliveries racing on the primary key: one commits, the other fails and is retried,
 * then skipped.
 */
export class Inbox {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  processOnce<T>(
    consumer: string,
    messageId: string,
    effect: (tx: Transaction) => Promise<T>,
  ): Promise<InboxResult<T>> {
    return this.unitOfWork.run(async (tx) => {
      if (await tx.manager.existsBy(InboxMessage, { consumer, messageId })) return { applied: false };
      await tx.manager.insert(InboxMessage, { consumer, messageId, processedAt: new Date().toISOString() });
      return { applied: true, result: await effect(tx) };
    });
  }
}
