import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { RetryLaterError } from '@plantbridge/messaging';
import { EventOrigins } from '@plantbridge/service-runtime';
import fc from 'fast-check';
import type { PostingLedger } from '../src/ledger/posting-ledger';
import { type PostingKind, PostingKinds } from '../src/posting-kind';
import { type PostingSettings, PostToErp } from '../src/worker/post-to-erp';
import {
  ERP_BEHAVIOURS,
  type ErpBehaviour,
  FaultScriptedErp,
  REQUEST_LIMIT_MS,
  testClock,
  WorkerCrash,
} from './fault-scripted-erp';
import { MemoryLedger } from './memory-ledger';

const SETTINGS: PostingSettings = {
  ERP_RETRY_MAX_ATTEMPTS: 1,
  ERP_TIMEOUT_MS: 1000,
  POSTING_GIVE_UP_AFTER_MS: 24 * 3600_000,
  POSTING_RETRY_MAX_DELAY_MS: 1000,
  ERP_REQUEST_LIMIT_MS: REQUEST_LIMIT_MS,
};

/** The posting worker over an in-memory ledger, posting one kind. */
export function postingWorkerFor(
  kind: PostingKind,
  ledger: MemoryLedger,
  settings: Partial<PostingSettings> = {},
): PostToErp {
  return new PostToErp(
    ledger as unknown as PostingLedger,
    new PostingKinds([kind]),
    new EventOrigins('test'),
    { ...SETTINGS, ...settings },
  );
}

/**
 * Delivers the posting's message until it settles, as JetStream would (a retry delay passes at
 * once on the test clock, a crashed worker's lease runs out); an operator retries a failure once.
 */
export async function deliverUntilSettled(
  worker: PostToErp,
  ledger: MemoryLedger,
  cause: CanonicalEvent,
): Promise<void> {
  let operatorRetried = false;
  for (let delivery = 0; delivery < 200; delivery++) {
    try {
      await worker.execute(ledger.row.postingKey, cause);
    } catch (error) {
      if (error instanceof WorkerCrash) ledger.expireLease();
      else if (error instanceof RetryLaterError) testClock.advance(error.delayMs);
      else throw error;
      continue;
    }
    if (ledger.row.state === 'posted') return;
    if (ledger.row.state === 'failed' && !operatorRetried) {
      ledger.retryByOperator();
      operatorRetried = true;
      continue;
    }
    if (ledger.row.state === 'failed') return;
  }
  throw new Error(`did not settle: ${ledger.row.state}`);
}

/**
 * The property every posting kind must hold, checked with fast-check over any script of ERP faults
 * (lost answers, lost requests, late commits, outages, refusals, a crash after the commit): ERP
 * never holds the posting twice, and it ends posted (ERP holds it once) unless ERP refused it
 * twice, before and after an operator's retry. `kind` makes the kind under test over the scripted
 * ERP; call it inside a test with `testClock.install()` in effect.
 */
export async function assertExactlyOnceUnderAnyFaultScript(options: {
  kind: (erp: FaultScriptedErp) => PostingKind;
  postingKey: string;
  cause: CanonicalEvent;
  numRuns?: number;
}): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<ErpBehaviour>(...ERP_BEHAVIOURS), { maxLength: 12 }),
      async (script) => {
        const erp = new FaultScriptedErp([...script]);
        const kind = options.kind(erp);
        const ledger = new MemoryLedger(options.postingKey, kind.name);
        await deliverUntilSettled(postingWorkerFor(kind, ledger), ledger, options.cause);
        erp.settle();
        const times = erp.posted.get(options.postingKey) ?? 0;
        expect(times).toBeLessThanOrEqual(1);
        if (ledger.row.state === 'posted') expect(times).toBe(1);
        else expect(ledger.row.state).toBe('failed');
        if (times === 1) expect(ledger.row.state).toBe('posted');
      },
    ),
    { numRuns: options.numRuns ?? 500 },
  );
}
