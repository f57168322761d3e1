import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DeadLetter } from '@plantbridge/messaging';
import { findOutboxBody, OutboxRelay, type UndeliverableRow } from '@plantbridge/persistence';
import type { DataSource } from 'typeorm';
import { PostingLedger } from '../ledger/posting-ledger';
import { type PostingKind, PostingKinds } from '../posting-kind';
import { PostToErp } from './post-to-erp';

/**
 * A posting whose trigger will never be handled is orphaned: its event was dead-lettered (it broke
 * the rules, its plant did not match, …) or could not be published at all (above the broker's
 * max_payload). Nothing would move it again, and the later ones of its reference wait behind it. It
 * goes to the exception queue with the reason, where an operator retries it (the worker posts it
 * from the stored document, not from the message) or discards it. A lost discard strands the
 * postings behind the discarded one, so the first of them goes to the queue instead.
 *
 * Only for this service's own events: a dead letter's message id must name a row of its outbox, and
 * the key is read from that row, not from the dead-lettered copy, so a forged or garbled message on
 * the same subject cannot put someone else's posting in the exception queue.
 */
@Injectable()
export class FailOrphanedPosting implements OnModuleInit {
  private readonly logger = new Logger(FailOrphanedPosting.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly post: PostToErp,
    private readonly ledger: PostingLedger,
    private readonly kinds: PostingKinds,
  ) {}

  onModuleInit(): void {
    this.relay.onUndeliverable((row) => this.undeliverable(row));
  }

  async deadLettered(letter: DeadLetter): Promise<void> {
    const body = letter.messageId && (await findOutboxBody(this.dataSource.manager, letter.messageId));
    if (body) await this.giveUp(body, `its ${letter.subject} message was dead-lettered: ${letter.reason}`);
  }

  private async undeliverable(row: UndeliverableRow): Promise<void> {
    await this.giveUp(row.body, `its ${row.subject} event could not be published: ${row.reason}`);
  }

  /**
   * The posting the lost event would have moved, if it was a kind's trigger: its own, or for a
   * discard the first one that waited behind the discarded posting (that one goes to the queue, and
   * its retry moves the rest).
   */
  private async giveUp(body: string, reason: string): Promise<void> {
    const trigger = this.triggerIn(body);
    if (!trigger) return;
    const key = trigger.kind.keyOf(trigger.data);
    if (!key) return;
    let postingKey: string | undefined = key;
    if (trigger.type === trigger.kind.triggers.discarded.type) {
      const discarded = await this.ledger.find(key);
      postingKey = discarded ? (await this.ledger.nextOpen(discarded))?.postingKey : undefined;
    }
    if (postingKey && (await this.post.giveUp(postingKey, reason))) {
      this.logger.warn(`${trigger.kind.noun} ${postingKey} to the exception queue: ${reason}`);
    }
  }

  /** The kind whose trigger this stored event is, with the event's type and data; else undefined. */
  private triggerIn(body: string): { kind: PostingKind; type: string; data: unknown } | undefined {
    let event: { type?: unknown; data?: unknown };
    try {
      event = JSON.parse(body) as { type?: unknown; data?: unknown };
    } catch {
      return undefined;
    }
    if (typeof event.type !== 'string') return undefined;
    const kind = this.kinds.all.find((k) => Object.values(k.triggers).some((t) => t.type === event.type));
    return kind && { kind, type: event.type, data: event.data };
  }
}
