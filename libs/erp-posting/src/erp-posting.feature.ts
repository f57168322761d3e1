import type { Provider, Type } from '@nestjs/common';
import { ErpServiceConfig } from '@plantbridge/config';
import { ErpPostingsController } from './exception-queue/erp-postings.controller';
import { ErpStatusSections } from './exception-queue/erp-status';
import { ExceptionQueue } from './exception-queue/exception-queue';
import { ErpPostingAuditRecord, ErpPostingRecord } from './ledger/erp-posting.entity';
import { LedgerMetrics } from './ledger/ledger-metrics';
import { ErpPostingLedger1764155000000 } from './ledger/migrations/1764155000000-erp-posting-ledger';
import { OpenPostingsByReference1764170000000 } from './ledger/migrations/1764170000000-open-postings-by-reference';
import { OpenPostingsInOrder1764180000000 } from './ledger/migrations/1764180000000-open-postings-in-order';
import { PostingAttemptedAt1764190000000 } from './ledger/migrations/1764190000000-posting-attempted-at';
import { AuditCaller1764200000000 } from './ledger/migrations/1764200000000-audit-caller';
import { PostingBacklog } from './ledger/posting-backlog';
import { PostingLedger } from './ledger/posting-ledger';
import { type PostingKind, PostingKinds } from './posting-kind';
import { FailOrphanedPosting } from './worker/fail-orphaned-posting';
import { PostToErp } from './worker/post-to-erp';

/** The ledger's tables, for the service's PlatformModule. */
export const ERP_POSTING_ENTITIES = [ErpPostingRecord, ErpPostingAuditRecord];

/**
 * The ledger's migrations, for the service's PlatformModule: list them before the service's own
 * (they run in timestamp order whatever the list's).
 */
export const ERP_POSTING_MIGRATIONS = [
  ErpPostingLedger1764155000000,
  OpenPostingsByReference1764170000000,
  OpenPostingsInOrder1764180000000,
  PostingAttemptedAt1764190000000,
  AuditCaller1764200000000,
];

/**
 * The posting pipeline in a service: the ledger, the worker, the exception queue's routes
 * (`/v1/plants/{plant}/erp-postings`, `/v1/plants/{plant}/erp/status`), ledger metrics and the
 * backlog admission control weighs. Spread its `controllers` and `providers` into the service's
 * module, with its kinds (Nest providers: they inject the service's ERP port and repositories) and
 * an ErpConnectionPort for the status route:
 *
 *   const posting = erpPostingFeature(config, [OperationConfirmationKind]);
 *   { controllers: [...posting.controllers, …], providers: [...posting.providers, …] }
 *
 * Each kind's triggers are handled by a handler of the service that calls PostToErp (see
 * `postingConsumer` for its consumer options) and FailOrphanedPosting for their dead letters.
 */
export function erpPostingFeature(
  config: ErpServiceConfig,
  kinds: Array<Type<PostingKind>>,
): { controllers: Array<Type<unknown>>; providers: Provider[] } {
  return {
    controllers: [ErpPostingsController],
    providers: [
      { provide: ErpServiceConfig, useValue: config },
      ...kinds,
      {
        provide: PostingKinds,
        useFactory: (...registered: PostingKind[]) => new PostingKinds(registered),
        inject: kinds,
      },
      PostingLedger,
      PostToErp,
      FailOrphanedPosting,
      ExceptionQueue,
      ErpStatusSections,
      LedgerMetrics,
      PostingBacklog,
    ],
  };
}
