import type { JsMsg } from 'nats';
import type { JetStreamConnection, MessagingLogger } from '../connection/jetstream-connection';
import type { EventPublisher } from '../publishing/event-publisher';
import { sanitizeHeaderValue } from '../publishing/headers';
import { type DeadLetter, deadLetter, type DeadLetterHook, isTransientPublishFailure } from './dead-letter';
import { consumerMetrics } from './metrics';
import { retryDelay, type RetryPolicy } from './settlement';

/** Attempts to dead-letter one message (store its copy, run the hook) before it is terminated anyway. */
export const DEAD_LETTER_ATTEMPTS = 20;

/** Dead letters of this process not finished yet; more than this and the oldest are forgotten. */
const MAX_UNFINISHED = 10_000;

export interface DeadLetteringOptions {
  durable: string;
  retry: RetryPolicy;
  hook?: DeadLetterHook;
  /** Default DEAD_LETTER_ATTEMPTS. */
  attempts?: number;
}

interface Unfinished {
  reason: string;
  copied: boolean;
  failures: number;
}

/** How dead-lettering one delivery ended: terminated, or handed back to be redelivered later. */
export type DeadLetterOutcome = 'dead-letter' | 'retry';

/**
 * The dead-letter step of one consumer: store the DLQ copy, call the hook, terminate. It always ends,
 * because a message that can be neither handled nor dead-lettered held a slot of max_ack_pending for
 * ever, and enough of them stalled the consumer. A copy that will never be stored (refused by the
 * broker) is given up at once; a transient failure (NATS away, a timeout) or a failing hook sends
 * the message back with the consumer's retry delay, at most `attempts` times. Giving up terminates
 * the message with the reason at ERROR and `plantbridge_dead_letter_failures_total` counted.
 *
 * The decision survives the retries in this process (the same reason, no second handler call, no
 * second copy); a redelivery to another replica decides afresh, and the copy's Nats-Msg-Id keeps
 * the DLQ to one copy inside its duplicate window.
 */
export class DeadLettering {
  private readonly unfinished = new Map<number, Unfinished>();
  private readonly attempts: number;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly publisher: EventPublisher,
    private readonly options: DeadLetteringOptions,
    private readonly logger: MessagingLogger,
  ) {
    this.attempts = options.attempts ?? DEAD_LETTER_ATTEMPTS;
  }

  /** The reason an earlier delivery of this message was dead-lettered for, if that did not finish here. */
  unfinishedReason(msg: JsMsg): string | undefined {
    return this.unfinished.get(msg.info.streamSequence)?.reason;
  }

  async run(msg: JsMsg, letter: DeadLetter): Promise<DeadLetterOutcome> {
    const state = this.unfinished.get(letter.streamSequence) ?? {
      reason: letter.reason,
      copied: false,
      // Without a memory of it (another replica, a restart), deliveries past the last one the
      // retry policy allows can only have been dead-letter attempts.
      failures: Math.max(0, letter.deliveryCount - this.options.retry.maxDeliveries),
    };
    const decided = { ...letter, reason: state.reason };
    const where = `${letter.stream}#${letter.streamSequence} (${letter.subject}, delivery ${letter.deliveryCount})`;
    if (!state.copied && (await this.storeCopy(msg, decided, state, where)) === 'retry') return 'retry';
    if (this.options.hook && (await this.callHook(msg, decided, state, where)) === 'retry') return 'retry';
    // No reason on the term: nats-server before 2.10 ignores `+TERM <reason>` and redelivers after
    // the ack wait. The reason travels with the DLQ copy instead.
    msg.term();
    this.unfinished.delete(letter.streamSequence);
    this.logger.error(`${this.durable}: dead-lettered ${where}: ${printable(state.reason)}`);
    return 'dead-letter';
  }

  /** Stores the DLQ copy; a copy that cannot be stored is given up, and the message goes on to its term. */
  private async storeCopy(
    msg: JsMsg,
    letter: DeadLetter,
    state: Unfinished,
    where: string,
  ): Promise<DeadLetterOutcome | undefined> {
    try {
      const form = await deadLetter(this.publisher, letter, this.connection.maxPayload());
      if (form === 'reference') {
        this.logger.warn(`${this.durable}: ${where} is too big for a DLQ copy; stored by reference`);
      }
    } catch (error) {
      if (isTransientPublishFailure(error) && state.failures + 1 < this.attempts) {
        return this.retryLater(msg, state, `storing the DLQ copy of ${where} failed`, error);
      }
      this.giveUp(
        'copy',
        `no DLQ copy of ${where} could be stored; terminating it without one (reason: ${printable(letter.reason)})`,
        error,
      );
    }
    state.copied = true;
    return undefined;
  }

  /** Runs the hook; one that keeps failing is given up after `attempts`, and the message terminated. */
  private async callHook(
    msg: JsMsg,
    letter: DeadLetter,
    state: Unfinished,
    where: string,
  ): Promise<DeadLetterOutcome | undefined> {
    try {
      await this.options.hook?.(letter);
    } catch (error) {
      if (state.failures + 1 < this.attempts) {
        return this.retryLater(msg, state, `the dead-letter hook failed for ${where}`, error);
      }
      this.giveUp(
        'hook',
        `the dead-letter hook failed ${this.attempts} times for ${where}; terminating it (reason: ${printable(letter.reason)})`,
        error,
      );
    }
    return undefined;
  }

  private get durable(): string {
    return this.options.durable;
  }

  private retryLater(msg: JsMsg, state: Unfinished, what: string, error: unknown): DeadLetterOutcome {
    state.failures++;
    this.remember(msg.info.streamSequence, state);
    const delayMs = retryDelay(state.failures, this.options.retry);
    this.logger.warn(
      `${this.durable}: ${what} (attempt ${state.failures} of ${this.attempts}), retrying in ${delayMs} ms: ${describe(error)}`,
    );
    msg.nak(delayMs);
    return 'retry';
  }

  private giveUp(step: 'copy' | 'hook', what: string, error: unknown): void {
    consumerMetrics.deadLetterFailures.inc({ durable: this.durable, step });
    this.logger.error(`${this.durable}: ${what}: ${describe(error)}`);
  }

  private remember(streamSequence: number, state: Unfinished): void {
    this.unfinished.delete(streamSequence);
    this.unfinished.set(streamSequence, state);
    if (this.unfinished.size > MAX_UNFINISHED) {
      const oldest = this.unfinished.keys().next().value as number;
      this.unfinished.delete(oldest);
    }
  }
}

/** Log lines get the same escaping as headers: a reason quoting input must not forge log lines. */
const printable = (text: string): string => sanitizeHeaderValue(text);
const describe = (error: unknown): string =>
  printable(error instanceof Error ? error.message : String(error));
