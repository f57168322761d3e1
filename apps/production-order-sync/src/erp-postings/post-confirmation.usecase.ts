import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type CanonicalEvent,
  causedBy,
  createEvent,
  type EventOrigin,
  Production,
  toText,
} from '@plantbridge/canonical-model';
import {
  type ConfirmationPosting,
  ErpBusinessError,
  ErpError,
  ErpInDoubtError,
  ConfirmationsPort,
  ErpTransientError,
  ErpUnavailableError,
  type PostedConfirmation,
} from '@plantbridge/erp';
import { PermanentError, RetryLaterError } from '@plantbridge/messaging';
import { Counter } from 'prom-client';
import { sourceFor } from '../common/event-source';
import { ProductionOrderSyncConfig } from '../config';
import type { ConfirmationRecord } from '../confirmations/confirmation.entity';
import { ConfirmationRepository } from '../confirmations/confirmation.repository';
import type { ErpPostingRecord } from './erp-posting.entity';
import { PostingLedger } from './posting-ledger';

/**
 * How soon a confirmation waiting for an earlier open one of its operation (in flight elsewhere, in
 * doubt, in a retry delay) tries again. Usually the earlier one's worker is in the same lane right
 * before it, so this is the safety net for another replica or a retry.
 */
const ORDER_WAIT_MS = 2000;
/**
 * How long one message walks the waiting confirmations of its operation (see `postFollowers`)
 * before it hands the rest to its own redelivery: well inside the ack wait (30 s by default), so
 * JetStream does not deliver it again to a second walker meanwhile.
 */
const WALK_BUDGET_MS = 10_000;
/** How soon an in-doubt posting is looked up in ERP. */
const IN_DOUBT_RECHECK_MS = 1000;
/** How often it is looked up again while ERP may still commit it (see `mayStillCommit`). */
const IN_DOUBT_LOOKUP_EVERY_MS = 30_000;
const DONE = new Set(['posted', 'failed', 'discarded']);
/** What `confirmation-failed`'s `erpCode` holds (an identifier of 40); another code goes into the reason. */
const ERP_CODE = /^[\x21-\x7e]{1,40}$/;

const outcomes = new Counter({
  name: 'plantbridge_erp_postings_total',
  help: 'Posting attempts by outcome (posted, found-posted, failed, retry, in-doubt, waiting, waiting-request-limit)',
  labelNames: ['outcome'],
});

/**
 * Posts one confirmation to ERP exactly once, after the earlier ones of its order operation (ERP
 * sees an operation's confirmations in the order the plant made them). The ledger says where it
 * stands:
 * - pending: post it, unless an earlier one of its operation is still open (try again soon) or
 *   failed (it waits, pending, for an operator to retry or discard that one; see `postFollowers`);
 * - in flight past its lease, or in doubt: ask ERP for its `ExternalSystemConfirmation` first, and
 *   post only if ERP does not have it;
 * - a business rejection lands in the exception queue (failed) with ERP's message, unless the
 *   lookup shows ERP has it after all;
 * - throttling and outages put it back (pending, or in doubt when uncertain) and ask JetStream to
 *   redeliver after ERP's `Retry-After`, the breaker's half-open time or a growing backoff, until
 *   POSTING_GIVE_UP_AFTER_MS, then the exception queue.
 */
@Injectable()
export class PostConfirmationToErp {
  private readonly logger = new Logger(PostConfirmationToErp.name);
  private readonly leaseMs: number;

  constructor(
    private readonly erp: ConfirmationsPort,
    private readonly ledger: PostingLedger,
    private readonly confirmations: ConfirmationRepository,
    @Inject(ProductionOrderSyncConfig) private readonly config: ProductionOrderSyncConfig,
  ) {
    // Long enough for every in-process attempt with its backoff; after it, another worker may resolve it.
    this.leaseMs = config.ERP_RETRY_MAX_ATTEMPTS * (config.ERP_TIMEOUT_MS + 5000) + 5000;
  }

  /**
   * Posts the confirmation, and when `drive` is set or it went through only now after an earlier
   * attempt failed, the later ones of its operation that waited for it (see `postFollowers`).
   * `drive` is for messages that may be the only thing left to move those: an operator's retry or
   * discard, and any redelivery. `since` is when the operator acted: the give-up time
   * (POSTING_GIVE_UP_AFTER_MS) counts from then for what this message posts, not from acceptance,
   * or a confirmation that waited a weekend for an operator would fail on its first 429.
   */
  async execute(postingKey: string, cause: CanonicalEvent, drive = false, since?: number): Promise<void> {
    const done = await this.postOne(postingKey, cause, since);
    if (done === 'blocked') return;
    if (done?.afterRetry || drive) await this.postFollowers(postingKey, cause, since);
  }

  /**
   * A confirmation that waited behind a failed one of its operation had its message acked (it
   * waits for an operator, and holding the message would fill the consumer: 1,000 such and the
   * whole plant posted nothing), so once that one is posted or discarded the waiting ones are
   * posted here, in order: every open one (pending, and in doubt or in flight after an attempt of
   * an earlier walk, which `postOne` looks up or waits out). One that cannot be posted now (ERP
   * away) fails this message, which then comes back and walks on from there; one refused by ERP
   * stops the walk, and its retry or discard drives the rest. A first-time posting skips this: the
   * next ones of its operation are right behind it in the handler's lane, each with its own message.
   */
  private async postFollowers(postingKey: string, cause: CanonicalEvent, since?: number): Promise<void> {
    const started = Date.now();
    let previous = await this.confirmations.get(postingKey);
    while (previous) {
      const next = await this.confirmations.nextOpen(previous);
      if (!next) return;
      if (Date.now() - started > WALK_BUDGET_MS) {
        throw new RetryLaterError(`more confirmations wait behind ${postingKey}`, 0);
      }
      const done = await this.postOne(next, cause, since);
      if (!done || done === 'blocked') return;
      previous = done.confirmation;
    }
  }

  /**
   * Posts one confirmation; says so when ERP holds it now (and whether an earlier attempt had failed),
   * 'blocked' when it waits behind a failed one (left pending), undefined when it ended otherwise.
   */
  private async postOne(
    postingKey: string,
    cause: CanonicalEvent,
    since?: number,
  ): Promise<{ confirmation: ConfirmationRecord; afterRetry: boolean } | 'blocked' | undefined> {
    const posting = await this.ledger.find(postingKey);
    if (!posting) throw new PermanentError(`no ERP ledger entry for confirmation ${postingKey}`);
    if (DONE.has(posting.state)) return undefined;
    const heldUntil =
      posting.state === 'in-flight' && posting.claimedUntil ? Date.parse(posting.claimedUntil) : 0;
    if (heldUntil > Date.now()) {
      throw new RetryLaterError(
        `confirmation ${postingKey} is being posted by another worker`,
        heldUntil - Date.now(),
      );
    }
    const confirmation = await this.confirmations.get(postingKey);
    if (!confirmation)
      throw new PermanentError(`confirmation ${postingKey} has a ledger entry but no record`);
    const waiting = await this.confirmations.waitingFor(confirmation);
    if (waiting?.failed) {
      outcomes.inc({ outcome: 'waiting' });
      const why = `waits for confirmation ${waiting.key} of the same operation, which failed: retry or discard it`;
      // Only a pending one waits quietly; one with an attempt behind it (in doubt) must stay within
      // an operator's reach, so it goes to the exception queue, saying what it waits for.
      if (posting.state === 'pending') await this.ledger.note(postingKey, why);
      else await this.toExceptionQueue(confirmation, cause, why, null);
      return 'blocked';
    }
    if (waiting) {
      throw new RetryLaterError(
        `confirmation ${postingKey} waits for ${waiting.key}, made earlier on the same operation`,
        await this.followerDelay(waiting.key),
      );
    }
    if (!(await this.ledger.claim(posting, this.leaseMs))) {
      throw new RetryLaterError(`confirmation ${postingKey} changed while claiming it`, 100);
    }
    let uncertain = posting.state === 'in-flight' || posting.state === 'in-doubt';
    const afterRetry = posting.attempts > 0;
    try {
      if (uncertain) {
        const found = await this.erp.findConfirmation(postingKey);
        if (found) {
          await this.posted(confirmation, found, cause, 'found-posted');
          return { confirmation, afterRetry };
        }
        await this.mayStillCommit(posting);
        if (!(await this.ledger.sendingAgain(postingKey, posting.attempts + 1, this.leaseMs))) {
          throw new RetryLaterError(`confirmation ${postingKey} was taken over while it was looked up`, 100);
        }
        uncertain = false;
      }
      const posted = await this.erp.postConfirmation(toPosting(confirmation));
      await this.posted(confirmation, posted, cause, 'posted');
      return { confirmation, afterRetry };
    } catch (error) {
      await this.failed(posting, confirmation, cause, error, uncertain, since);
      return undefined;
    }
  }

  /**
   * How soon a confirmation waiting behind `earlierKey` tries again: soon, unless that one waits out
   * ERP's request limit (minutes), which its followers then need not poll every ORDER_WAIT_MS.
   */
  private async followerDelay(earlierKey: string): Promise<number> {
    const earlier = await this.ledger.find(earlierKey);
    if (earlier?.state !== 'in-doubt') return ORDER_WAIT_MS;
    return Math.min(Math.max(this.requestLimitLeft(earlier), ORDER_WAIT_MS), IN_DOUBT_LOOKUP_EVERY_MS);
  }

  /**
   * An uncertain posting the lookup did not find is sent again only once ERP can no longer commit
   * the attempt it is uncertain about (ERP_REQUEST_LIMIT_MS after it was sent): SAP may finish a
   * request after our client gave up on it and after this lookup, and then both would stand. Until
   * then it stays in doubt, looked up again, and the later ones of its operation wait behind it.
   */
  private async mayStillCommit(posting: ErpPostingRecord): Promise<void> {
    const sentBy = latestSendOf(posting);
    const waitMs = this.requestLimitLeft(posting);
    if (waitMs <= 0) return;
    const why = `not in ERP yet, but ERP may still commit the attempt sent by ${new Date(sentBy).toISOString()} for another ${Math.ceil(waitMs / 1000)} s (ERP_REQUEST_LIMIT_MS)`;
    await this.ledger.release(posting.postingKey, 'in-doubt', why, sentBy);
    outcomes.inc({ outcome: 'waiting-request-limit' });
    throw new RetryLaterError(why, Math.min(waitMs, IN_DOUBT_LOOKUP_EVERY_MS));
  }

  /** How long ERP may still commit the posting's last attempt: ERP_REQUEST_LIMIT_MS after its latest send. */
  private requestLimitLeft(posting: ErpPostingRecord): number {
    return latestSendOf(posting) + this.config.ERP_REQUEST_LIMIT_MS - Date.now();
  }

  private async failed(
    posting: ErpPostingRecord,
    confirmation: ConfirmationRecord,
    cause: CanonicalEvent,
    error: unknown,
    uncertain: boolean,
    since?: number,
  ): Promise<void> {
    const key = posting.postingKey;
    // Ours, not a failure: the posting stays in doubt (see `mayStillCommit`).
    if (error instanceof RetryLaterError) throw error;
    if (error instanceof ErpBusinessError) {
      // A refusal may be ERP refusing what it already holds (an earlier attempt closed the operation):
      // a posting that got there first is still a success.
      const found = await this.erp.findConfirmation(key).catch(() => undefined);
      if (found) return this.posted(confirmation, found, cause, 'found-posted');
      // Refused on a send (any earlier attempt is past ERP's request limit), nothing can still
      // commit; refused on the lookup, the attempt in doubt still may.
      return this.toExceptionQueue(confirmation, cause, error.message, error.sapCode, !uncertain);
    }
    if (error instanceof ErpInDoubtError) {
      outcomes.inc({ outcome: 'in-doubt' });
      // Sent at the latest now: it may have waited for a request slot after the claim.
      await this.ledger.release(key, 'in-doubt', error.message, Date.now());
      throw new RetryLaterError(
        `posting ${key} is in doubt (${error.message}); ERP is asked before any retry`,
        IN_DOUBT_RECHECK_MS,
      );
    }
    if (error instanceof ErpError) {
      const ageMs = Date.now() - Math.max(Date.parse(posting.createdAt), since ?? 0);
      const attempts = posting.attempts + 1;
      if (ageMs > this.config.POSTING_GIVE_UP_AFTER_MS) {
        const reason = `gave up after ${attempts} attempts in ${Math.round(ageMs / 1000)} s: ${error.message}`;
        return this.toExceptionQueue(confirmation, cause, reason, null);
      }
      outcomes.inc({ outcome: 'retry' });
      await this.ledger.release(key, uncertain ? 'in-doubt' : 'pending', error.message);
      throw new RetryLaterError(error.message, this.retryDelay(error, attempts));
    }
    // Not ERP's (e.g. the database): the posting stays in flight; after its lease it is looked up first.
    throw error;
  }

  private async posted(
    confirmation: ConfirmationRecord,
    posted: PostedConfirmation,
    cause: CanonicalEvent,
    outcome: 'posted' | 'found-posted',
  ): Promise<void> {
    outcomes.inc({ outcome });
    const event = createEvent(
      Production.ConfirmationPostedV1Event,
      {
        confirmationKey: confirmation.id,
        manufacturingOrder: confirmation.manufacturingOrder,
        operation: confirmation.operation,
        plant: confirmation.plant,
        confirmationGroup: posted.confirmationGroup,
        confirmationCount: posted.confirmationCount,
        postedAt: new Date().toISOString(),
      },
      originOf(confirmation, cause),
    );
    await this.ledger.markPosted(
      confirmation.id,
      `${posted.confirmationGroup}/${posted.confirmationCount}`,
      event,
    );
  }

  /**
   * Sends an open posting to the exception queue without asking ERP: what to do when the message
   * that carries it cannot be handled (dead-lettered). False when there is nothing open to send.
   */
  async giveUp(postingKey: string, reason: string): Promise<boolean> {
    const posting = await this.ledger.find(postingKey);
    const confirmation = await this.confirmations.get(postingKey);
    if (!posting || !confirmation || DONE.has(posting.state)) return false;
    if (
      posting.state === 'in-flight' &&
      posting.claimedUntil &&
      Date.parse(posting.claimedUntil) > Date.now()
    ) {
      // A worker may be posting it right now; the caller comes back (a dead letter's hook is retried).
      throw new Error(`confirmation ${postingKey} is being posted; not giving it up now`);
    }
    await this.toExceptionQueue(confirmation, undefined, reason, null);
    return true;
  }

  /** `settled`: no attempt of it can still commit in ERP, so an operator's retry sends it at once. */
  private async toExceptionQueue(
    confirmation: ConfirmationRecord,
    cause: CanonicalEvent | undefined,
    reason: string,
    erpCode: string | null,
    settled = false,
  ): Promise<void> {
    // It goes into an event and a text column: ERP's message or a parse error may quote anything.
    reason = toText(reason, 1000);
    if (erpCode !== null && !ERP_CODE.test(erpCode)) {
      reason = toText(`${reason} (ERP code ${JSON.stringify(erpCode)})`, 1000);
      erpCode = null;
    }
    outcomes.inc({ outcome: 'failed' });
    this.logger.warn(
      `confirmation ${confirmation.id} (${confirmation.manufacturingOrder}/${confirmation.operation}) to the exception queue: ${reason}`,
    );
    const event = createEvent(
      Production.ConfirmationFailedV1Event,
      {
        confirmationKey: confirmation.id,
        manufacturingOrder: confirmation.manufacturingOrder,
        operation: confirmation.operation,
        plant: confirmation.plant,
        reason,
        erpCode: erpCode ?? undefined,
        failedAt: new Date().toISOString(),
      },
      originOf(confirmation, cause),
    );
    await this.ledger.markFailed(confirmation.id, reason, erpCode, event, settled);
  }

  /** ERP's Retry-After or the breaker's half-open time, else 0.5 s doubling, capped, with jitter. */
  private retryDelay(error: ErpError, attempts: number): number {
    if (error instanceof ErpTransientError || error instanceof ErpUnavailableError) {
      if (error.retryAfterMs !== undefined) return error.retryAfterMs;
    }
    const base = Math.min(500 * 2 ** Math.min(attempts - 1, 20), this.config.POSTING_RETRY_MAX_DELAY_MS);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

/**
 * The latest a posting's last attempt can have been sent: its `attemptedAt`, or, found in flight
 * after a worker's lease ran out, the lease's end (that worker may have sent it any time before).
 */
function latestSendOf(posting: ErpPostingRecord): number {
  const attempted = posting.attemptedAt ? Date.parse(posting.attemptedAt) : 0;
  const leased = posting.state === 'in-flight' && posting.claimedUntil ? Date.parse(posting.claimedUntil) : 0;
  return Math.max(attempted, leased);
}

/** What an outcome event of a confirmation descends from: the message handled, else the record. */
function originOf(c: ConfirmationRecord, cause: CanonicalEvent | undefined): EventOrigin {
  const source = sourceFor(c.plant);
  return cause
    ? causedBy(cause, source, c.manufacturingOrder)
    : { plant: c.plant, source, subject: c.manufacturingOrder };
}

export function toPosting(c: ConfirmationRecord): ConfirmationPosting {
  return {
    externalKey: c.id,
    manufacturingOrder: c.manufacturingOrder,
    operation: c.operation,
    sequence: c.sequence,
    yieldQuantity: c.yieldQuantity,
    scrapQuantity: c.scrapQuantity,
    reworkQuantity: c.reworkQuantity,
    unit: c.unit,
    finalConfirmation: c.finalConfirmation,
    executionStart: c.executionStart,
    executionEnd: c.executionEnd,
    postingDate: c.postingDate ?? undefined,
  };
}
