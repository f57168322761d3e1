import { Injectable } from '@nestjs/common';
import { type CanonicalEvent, createEvent, type EventOrigin, Production } from '@plantbridge/canonical-model';
import {
  CONFIRMATION_ENDPOINT,
  type ConfirmationPosting,
  ConfirmationsPort,
  type PostedConfirmation,
} from '@plantbridge/erp';
import type { OperatorAction, PostingFailure, PostingKind } from '@plantbridge/erp-posting';
import type { EntityManager } from 'typeorm';
import type { ConfirmationRecord } from '../confirmations/confirmation.entity';
import { ConfirmationRepository } from '../confirmations/confirmation.repository';

/** The ERP endpoint confirmations go to, in `$batch` requests (see `postingConsumer`). */
export const CONFIRMATION_ERP = { endpoint: CONFIRMATION_ENDPOINT, batched: true };

/** The events that move a confirmation's posting (see PostingKind.triggers). */
export const CONFIRMATION_TRIGGERS = {
  requested: Production.OperationConfirmedV1Event,
  retryRequested: Production.ConfirmationRetryRequestedV1Event,
  discarded: Production.ConfirmationDiscardedV1Event,
};

/**
 * Operation confirmations as ERP postings (SAP `ProdnOrdConf2`). The posting key is the
 * confirmation's id, sent as SAP's `ExternalSystemConfirmation` and found again by it. The
 * confirmations of one order operation reach ERP in the order the plant made them: their ordering
 * reference is `{order}/{operation}`.
 */
@Injectable()
export class OperationConfirmationKind implements PostingKind<ConfirmationRecord, PostedConfirmation> {
  readonly name = 'operation-confirmation';
  readonly noun = 'confirmation';
  readonly triggers = CONFIRMATION_TRIGGERS;

  constructor(
    private readonly erp: ConfirmationsPort,
    private readonly confirmations: ConfirmationRepository,
  ) {}

  /** The ordering reference of a confirmation of an order operation: `1000001/0010`. */
  static orderingReference(manufacturingOrder: string, operation: string): string {
    return `${manufacturingOrder}/${operation}`;
  }

  keyOf(data: unknown): string | undefined {
    const key = (data as { confirmationKey?: unknown } | undefined)?.confirmationKey;
    return typeof key === 'string' ? key : undefined;
  }

  orderingReferenceOf(data: unknown): string | undefined {
    const { manufacturingOrder, operation } = (data ?? {}) as {
      manufacturingOrder?: unknown;
      operation?: unknown;
    };
    return typeof manufacturingOrder === 'string' && typeof operation === 'string'
      ? OperationConfirmationKind.orderingReference(manufacturingOrder, operation)
      : undefined;
  }

  load(postingKey: string, manager: EntityManager): Promise<ConfirmationRecord | null> {
    return this.confirmations.get(postingKey, manager);
  }

  subjectOf(c: ConfirmationRecord): string {
    return c.manufacturingOrder;
  }

  describe(c: ConfirmationRecord): string {
    return OperationConfirmationKind.orderingReference(c.manufacturingOrder, c.operation);
  }

  post(c: ConfirmationRecord): Promise<PostedConfirmation> {
    return this.erp.postConfirmation(toPosting(c));
  }

  find(postingKey: string): Promise<PostedConfirmation | undefined> {
    return this.erp.findConfirmation(postingKey);
  }

  documentOf(posted: PostedConfirmation): string {
    return `${posted.confirmationGroup}/${posted.confirmationCount}`;
  }

  posted(c: ConfirmationRecord, posted: PostedConfirmation, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Production.ConfirmationPostedV1Event,
      {
        ...reference(c),
        confirmationGroup: posted.confirmationGroup,
        confirmationCount: posted.confirmationCount,
        postedAt: new Date().toISOString(),
      },
      origin,
    );
  }

  failed(c: ConfirmationRecord, failure: PostingFailure, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Production.ConfirmationFailedV1Event,
      { ...reference(c), reason: failure.reason, erpCode: failure.erpCode, failedAt: failure.at },
      origin,
    );
  }

  retryRequested(c: ConfirmationRecord, action: OperatorAction, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Production.ConfirmationRetryRequestedV1Event,
      { ...reference(c), requestedBy: action.by, reason: action.reason, requestedAt: action.at },
      origin,
    );
  }

  discarded(c: ConfirmationRecord, action: Required<OperatorAction>, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Production.ConfirmationDiscardedV1Event,
      { ...reference(c), discardedBy: action.by, reason: action.reason, discardedAt: action.at },
      origin,
    );
  }
}

function reference(c: ConfirmationRecord): Production.ConfirmationReferenceV1 {
  return {
    confirmationKey: c.id,
    manufacturingOrder: c.manufacturingOrder,
    operation: c.operation,
    plant: c.plant,
  };
}

/** What SAP is sent for a confirmation. */
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
