import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Production } from '@plantbridge/canonical-model';
import type { DeadLetter } from '@plantbridge/messaging';
import { findOutboxBody, OutboxRelay, type UndeliverableRow } from '@plantbridge/persistence';
import type { DataSource } from 'typeorm';
import { ConfirmationRepository } from '../confirmations/confirmation.repository';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/** The events that move a posting: if one never arrives, nothing else will. */
const POSTING_EVENTS = [
  Production.OperationConfirmedV1Event,
  Production.ConfirmationRetryRequestedV1Event,
  Production.ConfirmationDiscardedV1Event,
];
const isPostingSubject = (subject: string) => POSTING_EVENTS.some((d) => subject.endsWith(`.${d.name}`));

/**
 * A posting whose message will never be handled is orphaned: its event was dead-lettered (it broke
 * the rules, its plant did not match, …) or could not be published at all (above the broker's
 * max_payload). Nothing would move it again, and the later ones of its operation wait behind it. It
 * goes to the exception queue with the reason, where an operator retries it (the worker posts it
 * from the stored confirmation, not from the message) or discards it. A lost discard strands the
 * confirmations behind the discarded one, so the first of them goes to the queue instead.
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
    private readonly post: PostConfirmationToErp,
    private readonly confirmations: ConfirmationRepository,
  ) {}

  onModuleInit(): void {
    this.relay.onUndeliverable((row) => this.undeliverable(row));
  }

  async deadLettered(letter: DeadLetter): Promise<void> {
    const body = letter.messageId && (await findOutboxBody(this.dataSource.manager, letter.messageId));
    if (body) await this.giveUp(body, `its ${letter.subject} message was dead-lettered: ${letter.reason}`);
  }

  private async undeliverable(row: UndeliverableRow): Promise<void> {
    if (isPostingSubject(row.subject)) {
      await this.giveUp(row.body, `its ${row.subject} event could not be published: ${row.reason}`);
    }
  }

  /**
   * The posting the lost event would have moved: its own, or for a discard the first one that
   * waited behind the discarded posting (that one goes to the queue, and its retry moves the rest).
   */
  private async giveUp(body: string, reason: string): Promise<void> {
    const key = confirmationKeyOf(body);
    const discarded = body.includes(`"type":"${Production.ConfirmationDiscardedV1Event.type}"`);
    const postingKey = key && discarded ? await this.confirmations.nextOpenAfter(key) : key;
    if (postingKey && (await this.post.giveUp(postingKey, reason))) {
      this.logger.warn(`confirmation ${postingKey} to the exception queue: ${reason}`);
    }
  }
}

function confirmationKeyOf(body: string): string | undefined {
  try {
    const key = (JSON.parse(body) as { data?: { confirmationKey?: unknown } }).data?.confirmationKey;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
