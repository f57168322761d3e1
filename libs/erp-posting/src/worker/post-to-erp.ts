import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CanonicalEvent, toText } from '@plantbridge/canonical-model';
import { ErpServiceConfig } from '@plantbridge/config';
import {
  ErpBusinessError,
  ErpError,
  ErpInDoubtError,
  ErpTransientError,
  ErpUnavailableError,
} from '@plantbridge/erp';
import { PermanentError, RetryLaterError } from '@plantbridge/messaging';
import { EventOrigins, KeyedLanes } from '@plantbridge/service-runtime';
import { Counter } from 'prom-client';
import type { ErpPostingRecord } from '../ledger/erp-posting.entity';
import { PostingLedger } from '../ledger/posting-ledger';
import { type PostingKind, PostingKinds } from '../posting-kind';

/** The settings the worker reads (ErpServiceConfig documents each). */
export type PostingSettings = Pick<
  ErpServiceConfig,
  | 'ERP_RETRY_MAX_ATTEMPTS'
  | 'ERP_TIMEOUT_MS'
  | 'ERP_REQUEST_LIMIT_MS'
  | 'POSTING_GIVE_UP_AFTER_MS'
  | 'POSTING_RETRY_MAX_DELAY_MS'
>;

/**
 * How soon a posting waiting for an earlier open one of its reference (in flight elsewhere, in
 * doubt, in a retry delay) tries again. Usually the earlier one's worker is in the same lane right
 * before it, so this is the safety net for another replica or a retry.
 */
const ORDER_WAIT_MS = 2000;
/**
 * How long one message walks the waiting postings of its reference (see `postFollowers`) before it
 * hands the rest to its own redelivery: well inside the ack wait (30 s by default), so JetStream
 * does not deliver it again to a second walker meanwhile.
 */
const WALK_BUDGET_MS = 10_000;
/** How soon an in-doubt posting is looked up in ERP. */
const IN_DOUBT_RECHECK_MS = 1000;
/** How often it is looked up again while ERP may still commit it (see `mayStillCommit`). */
const IN_DOUBT_LOOKUP_EVERY_MS = 30_000;
const DONE = new Set(['posted', 'failed', 'discarded']);
/** What a failed event's `erpCode` holds (an identifier of 40); another code goes into the reason. */
const ERP_CODE = /^[\x21-\x7e]{1,40}$/;

const outcomes = new Counter({
  name: 'plantbridge_erp_postings_total',
  help: 'Posting attempts by kind and outcome (posted, found-posted, failed, retry, in-doubt, waiting, waiting-request-limit)',
  labelNames: ['kind', 'outcome'],
});

/** A posting with its kind and stored document, as one attempt works on it. */
interface Work {
  posting: ErpPostingRecord;
  kind: PostingKind;
  document: unknown;
}

/** How a message asks for a posting. */
export interface PostingRequest {
  /**
   * Also post the later ones of its reference that waited for it (see `postFollowers`): for
   * messages that may be the only thing left to move those, an operator's retry or discard and any
   * redelivery.
   */
  drive?: boolean;
  /**
   * When the operator acted: the give-up time (POSTING_GIVE_UP_AFTER_MS) counts from then for what
   * this message posts, not from acceptance, or a posting that waited a weekend for an operator
   * would fail on its first 429.
   */
  since?: number;
}

/**
 * Posts one document to ERP exactly once, after the earlier ones of its ordering reference (ERP
 * sees an order operation's confirmations in the order the plant made them). The ledger says where
 * it stands:
 * - pending: post it, unless an earlier one of its reference is still open (try again soon) or
 *   failed (it waits, pending, for an operator to retry or discard that one; see `postFollowers`);
 * - in flight past its lease, or in doubt: ask ERP for it by key first, and post only if ERP does
 *   not have it, and not before ERP can no longer commit the uncertain attempt (`mayStillCommit`);
 * - a business rejection lands in the exception queue (failed) with ERP's message, unless the
 *   lookup shows ERP has it after all;
 * - throttling and outages put it back (pending, or in doubt when uncertain) and ask JetStream to
 *   redeliver after ERP's `Retry-After`, the breaker's half-open time or a growing backoff, until
 *   POSTING_GIVE_UP_AFTER_MS, then the exception queue.
 * What a kind posts and which events it publishes come from its PostingKind.
 */
@Injectable()
export class PostToErp {
  private readonly logger = new Logger(PostToErp.name);
  private readonly leaseMs: number;
  /**
   * Messages of one ordering reference are handled one after another, in delivery order: the
   * worker would otherwise find the earlier posting still in flight next door and send the later
   * one back to JetStream to wait. Other references go on side by side.
   */
  private readonly lanes = new KeyedLanes();

  constructor(
    private readonly ledger: PostingLedger,
    private readonly kinds: PostingKinds,
    private readonly origins: EventOrigins,
    @Inject(ErpServiceConfig) private readonly config: PostingSettings,
  ) {
    // Long enough for every in-process attempt with its backoff; after it, another worker may resolve it.
    this.leaseMs = config.ERP_RETRY_MAX_ATTEMPTS * (config.ERP_TIMEOUT_MS + 5000) + 5000;
  }

  /**
   * Posts the document of `postingKey`, and when `drive` is set or it went through only now after
   * an earlier attempt failed, the later ones of its reference that waited for it (see
   * `postFollowers`).
   */
  async execute(postingKey: string, cause: CanonicalEvent, request: PostingRequest = {}): Promise<void> {
    // The lane is entered at once, from the message alone: a lookup first would let a later
    // message of the reference overtake an earlier one whose lookup answered later.
    const kind = this.kinds.triggeredBy(cause.type);
    const reference = kind.orderingReferenceOf(cause.data) ?? postingKey;
    await this.lanes.run(`${cause.plantid}/${kind.name}/${reference}`, async () => {
      const done = await this.postOne(postingKey, cause, request.since);
      if (done === 'blocked') return;
      if (done?.afterRetry || request.drive) await this.postFollowers(postingKey, cause, request.since);
    });
  }

  /**
   * A posting that waited behind a failed one of its reference had its message acked (it waits for
   * an operator, and holding the message would fill the consumer: 1,000 such and the whole plant
   * posted nothing), so once that one is posted or discarded the waiting ones are posted here, in
   * order: every open one (pending, and in doubt or in flight after an attempt of an earlier walk,
   * which `postOne` looks up or waits out). One that cannot be posted now (ERP away) fails this
   * message, which then comes back and walks on from there; one refused by ERP stops the walk, and
   * its retry or discard drives the rest. A first-time posting skips this: the next ones of its
   * reference are right behind it in the lane, each with its own message.
   */
  private async postFollowers(postingKey: string, cause: CanonicalEvent, since?: number): Promise<void> {
    const started = Date.now();
    let previous = await this.ledger.find(postingKey);
    while (previous) {
      const next = await this.ledger.nextOpen(previous);
      if (!next) return;
      if (Date.now() - started > WALK_BUDGET_MS) {
        throw new RetryLaterError(`more postings wait behind ${postingKey}`, 0);
      }
      const done = await this.postOne(next.postingKey, cause, since);
      if (!done || done === 'blocked') return;
      previous = done.posting;
    }
  }

  /**
   * Posts one document; says so when ERP holds it now (and whether an earlier attempt had failed),
   * 'blocked' when it waits behind a failed one (left pending), undefined when it ended otherwise.
   */
  private async postOne(
    postingKey: string,
    cause: CanonicalEvent,
    since?: number,
  ): Promise<{ posting: ErpPostingRecord; afterRetry: boolean } | 'blocked' | undefined> {
    const posting = await this.ledger.find(postingKey);
    if (!posting) throw new PermanentError(`no ERP ledger entry for posting ${postingKey}`);
    if (DONE.has(posting.state)) return undefined;
    const kind = this.kinds.get(posting.kind);
    const heldUntil =
      posting.state === 'in-flight' && posting.claimedUntil ? Date.parse(posting.claimedUntil) : 0;
    if (heldUntil > Date.now()) {
      throw new RetryLaterError(
        `${kind.noun} ${postingKey} is being posted by another worker`,
        heldUntil - Date.now(),
      );
    }
    const document = await kind.load(postingKey, this.ledger.manager);
    if (!document) throw new PermanentError(`${kind.noun} ${postingKey} has a ledger entry but no record`);
    const work: Work = { posting, kind, document };
    const waiting = await this.ledger.waitingFor(posting, undefined, kind.failureHoldsLater !== false);
    if (waiting?.failed) {
      this.count(kind, 'waiting');
      const why = `waits for ${kind.noun} ${waiting.key} of ${posting.reference}, accepted before it, which failed: retry or discard it`;
      // Only a pending one waits quietly; one with an attempt behind it (in doubt) must stay within
      // an operator's reach, so it goes to the exception queue, saying what it waits for.
      if (posting.state === 'pending') await this.ledger.note(postingKey, why);
      else await this.toExceptionQueue(work, cause, why, null);
      return 'blocked';
    }
    if (waiting) {
      throw new RetryLaterError(
        `${kind.noun} ${postingKey} waits for ${waiting.key}, accepted earlier for ${posting.reference}`,
        await this.followerDelay(waiting.key),
      );
    }
    if (!(await this.ledger.claim(posting, this.leaseMs))) {
      throw new RetryLaterError(`${kind.noun} ${postingKey} changed while claiming it`, 100);
    }
    let uncertain = posting.state === 'in-flight' || posting.state === 'in-doubt';
    const afterRetry = posting.attempts > 0;
    try {
      if (uncertain) {
        const found = await kind.find(postingKey);
        if (found) {
          await this.posted(work, found, cause, 'found-posted');
          return { posting, afterRetry };
        }
        await this.mayStillCommit(work);
        if (!(await this.ledger.sendingAgain(postingKey, posting.attempts + 1, this.leaseMs))) {
          throw new RetryLaterError(`${kind.noun} ${postingKey} was taken over while it was looked up`, 100);
        }
        uncertain = false;
      }
      const receipt = await kind.post(document);
      await this.posted(work, receipt, cause, 'posted');
      return { posting, afterRetry };
    } catch (error) {
      await this.failed(work, cause, error, uncertain, since);
      return undefined;
    }
  }

  /**
   * How soon a posting waiting behind `earlierKey` tries again: soon, unless that one waits out
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
   * then it stays in doubt, looked up again, and the later ones of its reference wait behind it.
   */
  private async mayStillCommit({ posting, kind }: Work): Promise<void> {
    const sentBy = latestSendOf(posting);
    const waitMs = this.requestLimitLeft(posting);
    if (waitMs <= 0) return;
    const why = `not in ERP yet, but ERP may still commit the attempt sent by ${new Date(sentBy).toISOString()} for another ${Math.ceil(waitMs / 1000)} s (ERP_REQUEST_LIMIT_MS)`;
    await this.ledger.release(posting.postingKey, 'in-doubt', why, sentBy);
    this.count(kind, 'waiting-request-limit');
    throw new RetryLaterError(why, Math.min(waitMs, IN_DOUBT_LOOKUP_EVERY_MS));
  }

  /** How long ERP may still commit the posting's last attempt: ERP_REQUEST_LIMIT_MS after its latest send. */
  private requestLimitLeft(posting: ErpPostingRecord): number {
    return latestSendOf(posting) + this.config.ERP_REQUEST_LIMIT_MS - Date.now();
  }

  private async failed(
    work: Work,
    cause: CanonicalEvent,
    error: unknown,
    uncertain: boolean,
    since?: number,
  ): Promise<void> {
    const { posting, kind } = work;
    const key = posting.postingKey;
    // Ours, not a failure: the posting stays in doubt (see `mayStillCommit`).
    if (error instanceof RetryLaterError) throw error;
    if (error instanceof ErpBusinessError) {
      // A refusal may be ERP refusing what it already holds (an earlier attempt closed the operation):
      // a posting that got there first is still a success.
      const found = await kind.find(key).catch(() => undefined);
      if (found) return this.posted(work, found, cause, 'found-posted');
      // Refused on a send (any earlier attempt is past ERP's request limit), nothing can still
      // commit; refused on the lookup, the attempt in doubt still may.
      return this.toExceptionQueue(work, cause, error.message, error.sapCode, !uncertain);
    }
    if (error instanceof ErpInDoubtError) {
      this.count(kind, 'in-doubt');
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
        return this.toExceptionQueue(work, cause, reason, null);
      }
      this.count(kind, 'retry');
      await this.ledger.release(key, uncertain ? 'in-doubt' : 'pending', error.message);
      throw new RetryLaterError(error.message, this.retryDelay(error, attempts));
    }
    // Not ERP's (e.g. the database): the posting stays in flight; after its lease it is looked up first.
    throw error;
  }

  private async posted(
    { posting, kind, document }: Work,
    receipt: unknown,
    cause: CanonicalEvent,
    outcome: 'posted' | 'found-posted',
  ): Promise<void> {
    this.count(kind, outcome);
    const event = kind.posted(document, receipt, this.originOf(posting, kind, document, cause));
    const apply = kind.applyPosted?.bind(kind);
    await this.ledger.markPosted(
      posting.postingKey,
      kind.documentOf(receipt),
      event,
      apply && ((manager) => apply(document, receipt, manager)),
    );
  }

  /**
   * Sends an open posting to the exception queue without asking ERP: what to do when the message
   * that carries it cannot be handled (dead-lettered). False when there is nothing open to send.
   */
  async giveUp(postingKey: string, reason: string): Promise<boolean> {
    const posting = await this.ledger.find(postingKey);
    if (!posting || DONE.has(posting.state)) return false;
    const kind = this.kinds.get(posting.kind);
    const document = await kind.load(postingKey, this.ledger.manager);
    if (!document) return false;
    if (
      posting.state === 'in-flight' &&
      posting.claimedUntil &&
      Date.parse(posting.claimedUntil) > Date.now()
    ) {
      // A worker may be posting it right now; the caller comes back (a dead letter's hook is retried).
      throw new Error(`${kind.noun} ${postingKey} is being posted; not giving it up now`);
    }
    await this.toExceptionQueue({ posting, kind, document }, undefined, reason, null);
    return true;
  }

  /** `settled`: no attempt of it can still commit in ERP, so an operator's retry sends it at once. */
  private async toExceptionQueue(
    { posting, kind, document }: Work,
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
    this.count(kind, 'failed');
    this.logger.warn(
      `${kind.noun} ${posting.postingKey} (${kind.describe(document)}) to the exception queue: ${reason}`,
    );
    const event = kind.failed(
      document,
      { reason, erpCode: erpCode ?? undefined, at: new Date().toISOString() },
      this.originOf(posting, kind, document, cause),
    );
    await this.ledger.markFailed(posting.postingKey, reason, erpCode, event, settled);
  }

  /** What an outcome event descends from: the message handled, else the posting's document. */
  private originOf(
    posting: ErpPostingRecord,
    kind: PostingKind,
    document: unknown,
    cause: CanonicalEvent | undefined,
  ) {
    const subject = kind.subjectOf(document);
    return cause ? this.origins.causedBy(cause, subject) : this.origins.forPlant(posting.plant, subject);
  }

  private count(kind: PostingKind, outcome: string): void {
    outcomes.inc({ kind: kind.name, outcome });
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
