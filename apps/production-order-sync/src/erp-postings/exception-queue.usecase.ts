import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type CanonicalEvent, createEvent, type EventOrigin, Production } from '@plantbridge/canonical-model';
import { IdempotentRequests, type IdempotentResponse, type Transaction } from '@plantbridge/persistence';
import type { CommandRequest } from '@plantbridge/service-runtime';
import type { DataSource } from 'typeorm';
import { originFromRequest } from '../common/event-source';
import { ConfirmationRecord } from '../confirmations/confirmation.entity';
import { ConfirmationRepository } from '../confirmations/confirmation.repository';
import { ErpPostingAuditRecord, ErpPostingRecord, type PostingState } from './erp-posting.entity';
import type { DiscardPostingRequest, RetryPostingRequest } from './exception-queue.requests';
import { type PostingView, toPostingView } from './exception-queue.views';

/** An operator's action on one posting, with its idempotency key, path and correlation id. */
export interface ExceptionContext extends CommandRequest {
  plant: string;
  postingKey: string;
}

/**
 * The exception queue: postings ERP refused or that gave up, listed and inspected, sent back to ERP
 * or discarded by an operator. Every action is audited with who and why.
 */
@Injectable()
export class ExceptionQueue {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly idempotent: IdempotentRequests,
    private readonly confirmations: ConfirmationRepository,
  ) {}

  async list(plant: string, state: PostingState = 'failed'): Promise<PostingView[]> {
    const postings = await this.dataSource.manager.find(ErpPostingRecord, {
      where: { plant, state },
      order: { createdAt: 'ASC' },
      take: 1000,
    });
    return postings.map((p) => toPostingView(p));
  }

  async get(plant: string, postingKey: string): Promise<PostingView> {
    const posting = await this.find(plant, postingKey);
    const audit = await this.dataSource.manager.find(ErpPostingAuditRecord, {
      where: { postingKey },
      order: { id: 'ASC' },
    });
    return toPostingView(posting, audit);
  }

  /**
   * Sends a failed posting back to ERP. It goes in as in doubt, so ERP is asked for its key before
   * it is posted again: whatever happened in ERP meanwhile, it is never posted twice.
   */
  retry(ctx: ExceptionContext, request: RetryPostingRequest): Promise<IdempotentResponse<PostingView>> {
    return this.act(ctx, request, 'retry', 'in-doubt', (reference, at, origin) =>
      createEvent(
        Production.ConfirmationRetryRequestedV1Event,
        { ...reference, requestedBy: request.requestedBy, reason: request.reason, requestedAt: at },
        origin,
      ),
    );
  }

  /**
   * Gives up on a failed posting. The operation's later confirmations waited behind it (ERP sees an
   * operation's confirmations in order); `confirmation-discarded` sends them on to ERP.
   */
  discard(ctx: ExceptionContext, request: DiscardPostingRequest): Promise<IdempotentResponse<PostingView>> {
    return this.act(ctx, request, 'discard', 'discarded', (reference, at, origin) =>
      createEvent(
        Production.ConfirmationDiscardedV1Event,
        { ...reference, discardedBy: request.requestedBy, reason: request.reason, discardedAt: at },
        origin,
      ),
    );
  }

  /**
   * Moves a failed posting to `toState`, audits who and why, and publishes the event `announce`
   * makes of it, all in one transaction.
   */
  private act(
    ctx: ExceptionContext,
    request: { requestedBy: string; reason?: string },
    action: 'retry' | 'discard',
    toState: PostingState,
    announce: (
      reference: Production.ConfirmationReferenceV1,
      at: string,
      origin: EventOrigin,
    ) => CanonicalEvent,
  ): Promise<IdempotentResponse<PostingView>> {
    return this.idempotent.execute(
      ctx.idempotencyKey,
      { method: 'POST', path: ctx.path, body: request },
      async (tx) => {
        const posting = await this.find(ctx.plant, ctx.postingKey, tx);
        if (posting.state !== 'failed') {
          throw new ConflictException(
            `posting ${ctx.postingKey} is ${posting.state}; only failed postings can be ${action === 'retry' ? 'retried' : 'discarded'}`,
          );
        }
        const confirmation = await tx.manager.findOneByOrFail(ConfirmationRecord, { id: posting.postingKey });
        const waiting =
          action === 'retry' ? await this.confirmations.waitingFor(confirmation, tx.manager) : undefined;
        if (waiting?.failed) {
          // It would only wait behind that one, out of reach in doubt: ERP sees an operation in order.
          throw new ConflictException(
            `confirmation ${waiting.key} of the same operation failed before this one: retry or discard it first`,
          );
        }
        const at = new Date().toISOString();
        await tx.manager.update(
          ErpPostingRecord,
          { postingKey: posting.postingKey },
          { state: toState, updatedAt: at },
        );
        await tx.manager.insert(ErpPostingAuditRecord, {
          postingKey: posting.postingKey,
          action,
          actor: request.requestedBy,
          reason: request.reason ?? null,
          fromState: posting.state,
          toState,
          at,
        });
        const reference = {
          confirmationKey: posting.postingKey,
          manufacturingOrder: confirmation.manufacturingOrder,
          operation: confirmation.operation,
          plant: ctx.plant,
        };
        const origin = originFromRequest(ctx.plant, confirmation.manufacturingOrder, ctx.correlationId);
        await tx.publish(announce(reference, at, origin));
        const audit = await tx.manager.find(ErpPostingAuditRecord, {
          where: { postingKey: posting.postingKey },
          order: { id: 'ASC' },
        });
        return { statusCode: 200, body: toPostingView({ ...posting, state: toState, updatedAt: at }, audit) };
      },
    );
  }

  private async find(plant: string, postingKey: string, tx?: Transaction): Promise<ErpPostingRecord> {
    const manager = tx?.manager ?? this.dataSource.manager;
    const posting = await manager.findOneBy(ErpPostingRecord, { plant, postingKey });
    if (!posting) throw new NotFoundException(`ERP posting ${postingKey} is not known in plant ${plant}`);
    return posting;
  }

  /** Postings per state, for the status endpoint and the demo's dashboard. */
  async countsByState(plant: string): Promise<Record<PostingState, number>> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(ErpPostingRecord, 'p')
      .select('p.state', 'state')
      .addSelect('COUNT(*)', 'count')
      .where('p.plant = :plant', { plant })
      .groupBy('p.state')
      .getRawMany<{ state: PostingState; count: string }>();
    const counts = { pending: 0, 'in-flight': 0, 'in-doubt': 0, posted: 0, failed: 0, discarded: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
