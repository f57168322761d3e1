import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DeadLetter } from '@plantbridge/messaging';
import { findOutboxBody } from '@plantbridge/persistence';
import type { DataSource } from 'typeorm';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/**
 * A posting's message was dead-lettered (its event broke the rules, its plant did not match, …):
 * nothing will move that posting any more, and the later ones of its operation wait behind it. It
 * goes to the exception queue with the dead-letter reason, where an operator retries it (the
 * worker posts it from the stored confirmation, not from the message) or discards it.
 *
 * Only for this service's own events: the message id must name a row of its outbox, and the key is
 * read from that row, not from the dead-lettered copy, so a forged or garbled message on the same
 * subject cannot put someone else's posting in the exception queue.
 */
@Injectable()
export class FailDeadLetteredPosting {
  private readonly logger = new Logger(FailDeadLetteredPosting.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly post: PostConfirmationToErp,
  ) {}

  async execute(letter: DeadLetter): Promise<void> {
    const body = letter.messageId && (await findOutboxBody(this.dataSource.manager, letter.messageId));
    const postingKey = body ? confirmationKeyOf(body) : undefined;
    if (!postingKey) return;
    const reason = `its ${letter.subject} message was dead-lettered: ${letter.reason}`;
    if (await this.post.giveUp(postingKey, reason)) {
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
