import type { CanonicalEvent, EventDefinition, EventOrigin } from '@plantbridge/canonical-model';
import { PermanentError } from '@plantbridge/messaging';
import type { EntityManager } from 'typeorm';

/**
 * One kind of ERP write (an operation confirmation, a goods movement, a quality notification, …)
 * as the posting pipeline sees it. The pipeline owns the ledger, the worker's state machine, the
 * exception queue and the retries; a kind says how to load its document, post it, find it in ERP by
 * its key, and which events tell the plant what happened. Implement it as a Nest provider and list
 * it in `erpPostingFeature`.
 *
 * `TDocument` is what the service stored when it accepted the write (a confirmation record), and
 * `TReceipt` is ERP's answer (a confirmation group and count, a material document).
 */
export interface PostingKind<TDocument = unknown, TReceipt = unknown> {
  /** The ledger's `kind` column, e.g. `operation-confirmation` (≤ 30 characters). */
  readonly name: string;
  /** What one document is called in logs and messages: `confirmation`. */
  readonly noun: string;
  /**
   * The events that move a posting of this kind: the one that asks for it to be posted, an
   * operator's retry and discard. If one of them is lost (dead-lettered, unpublishable), nothing
   * else moves the posting, so the pipeline sends it to the exception queue (see FailOrphanedPosting).
   */
  readonly triggers: {
    requested: EventDefinition;
    retryRequested: EventDefinition;
    discarded: EventDefinition;
  };

  /**
   * Whether a failed posting (in the exception queue) holds back the later ones of its ordering
   * reference until an operator retries or discards it. True when absent: a partial confirmation
   * after a refused final one would be misread. False for a kind whose later postings stand on
   * their own once sent in order: goods movements, where an issue refused for want of stock must
   * not stop the receipt that would cover it.
   */
  readonly failureHoldsLater?: boolean;

  /** The posting key in a trigger's data (`confirmationKey`), if it has one. */
  keyOf(data: unknown): string | undefined;
  /**
   * The ordering reference of the posting a trigger moves, read from the trigger's data (the same
   * the service gave PostingLedger.open; ≤ 40 characters); undefined for a kind without ordering.
   * Postings of one kind with the same reference reach ERP in the order they were accepted.
   */
  orderingReferenceOf(data: unknown): string | undefined;

  /** The stored document of a posting; null when there is none. */
  load(postingKey: string, manager: EntityManager): Promise<TDocument | null>;
  /** The CloudEvents `subject` of the kind's events about this document (its order, its material). */
  subjectOf(document: TDocument): string;
  /** A short description for logs: `1000001/0010`. */
  describe(document: TDocument): string;

  /**
   * Posts the document. Throws the errors of `@plantbridge/erp` (ErpInDoubtError when ERP may have
   * applied it), so the pipeline decides what happens next the same way for every kind.
   */
  post(document: TDocument): Promise<TReceipt>;
  /** ERP's document for this key, if ERP holds it: how an uncertain posting is resolved. */
  find(postingKey: string): Promise<TReceipt | undefined>;
  /** ERP's document number as the ledger keeps it (`0000000207/00000001`, ≤ 40 characters). */
  documentOf(receipt: TReceipt): string;

  posted(document: TDocument, receipt: TReceipt, origin: EventOrigin): CanonicalEvent;
  /**
   * What ERP's posting changes in the service's own state (a stock projection), applied in the
   * transaction that marks the posting posted, so it commits with the ledger and its event or not
   * at all. A posting can be marked posted more than once (found posted after a lost answer by a
   * second worker): make the change idempotent, keyed by the posting key.
   */
  applyPosted?(document: TDocument, receipt: TReceipt, manager: EntityManager): Promise<void>;
  failed(document: TDocument, failure: PostingFailure, origin: EventOrigin): CanonicalEvent;
  retryRequested(document: TDocument, action: OperatorAction, origin: EventOrigin): CanonicalEvent;
  /** A discard always says why. */
  discarded(document: TDocument, action: Required<OperatorAction>, origin: EventOrigin): CanonicalEvent;
}

/** Why a posting went to the exception queue; `erpCode` is ERP's message id when ERP refused it. */
export interface PostingFailure {
  reason: string;
  erpCode?: string;
  at: string;
}

/** An operator's retry or discard, as audited. */
export interface OperatorAction {
  by: string;
  reason?: string;
  at: string;
}

/** Every kind the service posts, by ledger name. */
export class PostingKinds {
  private readonly byName: Map<string, PostingKind>;

  constructor(kinds: PostingKind[]) {
    this.byName = new Map(kinds.map((k) => [k.name, k]));
  }

  /** A ledger row of a kind no longer registered can never be posted here: dead-letter it. */
  get(name: string): PostingKind {
    const kind = this.byName.get(name);
    if (!kind) throw new PermanentError(`no posting kind ${name} is registered in this service`);
    return kind;
  }

  /** The kind one of whose triggers has this event type. */
  triggeredBy(eventType: string): PostingKind {
    const kind = this.all.find((k) => Object.values(k.triggers).some((t) => t.type === eventType));
    if (!kind) throw new PermanentError(`${eventType} is no posting kind's trigger in this service`);
    return kind;
  }

  get all(): PostingKind[] {
    return [...this.byName.values()];
  }
}
