import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalEvent, EventOrigin } from '@plantbridge/canonical-model';
import { IdempotentRequests, type IdempotentResponse, type Transaction } from '@plantbridge/persistence';
import { type CommandRequest, EventOrigins } from '@plantbridge/service-runtime';
import type { DataSource } from 'typeorm';
import { ErpPostingAuditRecord, ErpPostingRecord, type PostingState } from '../ledger/erp-posting.entity';
import { PostingLedger } from '../ledger/posting-ledger';
import { type OperatorAction, type PostingKind, PostingKinds } from '../posting-kind';
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
    private readonly ledger: PostingLedger,
    private readonly kinds: PostingKinds,
    private readonly origins: EventOrigins,
  ) {}

  async list(plant: string, state: PostingState = 'failed'): Promise<PostingView[]> {
    return (await this.ledger.list(plant, state)).map((p) => toPostingView(p));
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
    return this.act(ctx, request, 'retry', 'in-doubt', (kind, document, action, origin) =>
      kind.retryRequested(document, action, origin),
    );
  }

  /**
   * Gives up on a failed posting. The later postings of its reference waited behind it (ERP sees an
   * order operation's confirmations in order); the kind's discarded event sends them on to ERP.
   */
  discard(ctx: ExceptionContext, request: DiscardPostingRequest): Promise<IdempotentResponse<PostingView>> {
    return this.act(ctx, request, 'discard', 'discarded', (kind, document, action, origin) =>
      kind.discarded(document, { ...action, reason: request.reason }, origin),
    );
  }

  /**
   * Moves a failed posting to `toState`, audits who and why, and publishes the event `announce`
   * makes of it, all in one transaction.
   */
  private act(
    ctx: ExceptionContext,
    request: { requestedBy?: string; reason?: string },
    action: 'retry' | 'discard',
    toState: PostingState,
    announce: (
      kind: PostingKind,
      document: unknown,
      action: OperatorAction,
      origin: EventOrigin,
    ) => CanonicalEvent,
  ): Promise<IdempotentResponse<PostingView>> {
    return this.idempotent.execute(
      ctx.replayKey,
      { method: 'POST', path: ctx.path, body: request },
      async (tx) => {
        const posting = await this.find(ctx.plant, ctx.postingKey, tx);
        if (posting.state !== 'failed') {
          throw new ConflictException(
            `posting ${ctx.postingKey} is ${posting.state}; only failed postings can be ${action === 'retry' ? 'retried' : 'discarded'}`,
          );
        }
        const kind = this.kinds.get(posting.kind);
        const document = await kind.load(posting.postingKey, tx.manager);
        if (!document) throw new Error(`${kind.noun} ${posting.postingKey} has a ledger entry but no record`);
        const waiting =
          action === 'retry'
            ? await this.ledger.waitingFor(posting, tx.manager, kind.failureHoldsLater !== false)
            : undefined;
        if (waiting?.failed) {
          // It would only wait behind that one, out of reach in doubt: ERP sees a reference in order.
          throw new ConflictException(
            `${kind.noun} ${waiting.key} of ${posting.reference}, accepted before this one, failed: retry or discard it first`,
          );
        }
        const at = new Date().toISOString();
        await tx.manager.update(
          ErpPostingRecord,
          { postingKey: posting.postingKey },
          { state: toState, updatedAt: at },
        );
        // Who acted is the verified caller; a name in the body is only whom it acted for.
        const actor = ctx.caller?.subject ?? request.requestedBy ?? 'anonymous';
        await tx.manager.insert(ErpPostingAuditRecord, {
          postingKey: posting.postingKey,
          action,
          actor,
          client: ctx.caller?.client ?? null,
          onBehalfOf: ctx.caller ? (request.requestedBy ?? null) : null,
          reason: request.reason ?? null,
          fromState: posting.state,
          toState,
          at,
        });
        const origin = this.origins.fromRequest(ctx.plant, kind.subjectOf(document), ctx.correlationId);
        const operator = { by: actor, reason: request.reason, at };
        await tx.publish(announce(kind, document, operator, origin));
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
}
