import { Logger } from '@nestjs/common';
import { createEvent, Production } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import {
  type ConfirmationPosting,
  ErpBusinessError,
  ErpInDoubtError,
  ConfirmationsPort,
  ErpTransientError,
  type PostedConfirmation,
} from '@plantbridge/erp';
import { PermanentError, RetryLaterError } from '@plantbridge/messaging';
import fc from 'fast-check';
import type { ProductionOrderSyncConfig } from '../config';
import type { ConfirmationRecord } from '../confirmations/confirmation.entity';
import type { ConfirmationRepository } from '../confirmations/confirmation.repository';
import type { ErpPostingRecord, PostingState } from './erp-posting.entity';
import type { PostingLedger } from './posting-ledger';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/**
 * What ERP does with one call: answer, refuse before doing anything, commit and lose the answer,
 * lose the request, commit after the caller gave up (within ERP's request limit), or refuse for a
 * business reason. A crash of the worker can follow a commit.
 */
type ErpBehaviour =
  | 'ok'
  | 'unavailable'
  | 'commit-then-drop'
  | 'drop-before-commit'
  | 'commit-late'
  | 'business'
  | 'commit-then-crash';

/** ERP_REQUEST_LIMIT_MS of these tests; a late commit lands up to this long after the call. */
const REQUEST_LIMIT_MS = 10_000;

/** The tests' clock: JetStream's redelivery delays pass on it at once. */
const clock = {
  now: Date.parse('2026-11-26T06:00:00Z'),
  advance(ms: number): void {
    this.now += Math.max(1, ms);
  },
};

const KEY = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';

/** An ERP that holds confirmations by external key and misbehaves as the script says. */
class ScriptedErp extends ConfirmationsPort {
  readonly posted = new Map<string, number>();
  private count = 0;
  /** Writes ERP is still working on, and when each commits. */
  private readonly late: Array<{ key: string; at: number }> = [];

  constructor(
    private readonly script: ErpBehaviour[],
    private readonly lateCommitMs = REQUEST_LIMIT_MS - 1,
  ) {
    super();
  }

  private next(): ErpBehaviour {
    this.commitDue();
    return this.script.shift() ?? 'ok';
  }

  private commitDue(): void {
    for (const write of this.late.filter((w) => w.at <= clock.now)) {
      this.late.splice(this.late.indexOf(write), 1);
      this.commit(write.key);
    }
  }

  /** What ERP will hold once every write it is working on has committed. */
  settle(): void {
    clock.advance(this.lateCommitMs + 1);
    this.commitDue();
  }

  private commit(key: string): PostedConfirmation {
    this.posted.set(key, (this.posted.get(key) ?? 0) + 1);
    return {
      externalKey: key,
      confirmationGroup: '0000000001',
      confirmationCount: String(++this.count),
      alreadyPosted: false,
    };
  }

  async postConfirmation(posting: ConfirmationPosting): Promise<PostedConfirmation> {
    switch (this.next()) {
      case 'ok':
        return this.commit(posting.externalKey);
      case 'unavailable':
        throw new ErpTransientError('postConfirmation', 'SAP 503', 503);
      case 'commit-then-drop':
        this.commit(posting.externalKey);
        throw new ErpInDoubtError('postConfirmation', 'socket hang up');
      case 'drop-before-commit':
        throw new ErpInDoubtError('postConfirmation', 'timeout');
      case 'commit-late':
        this.late.push({ key: posting.externalKey, at: clock.now + this.lateCommitMs });
        throw new ErpInDoubtError('postConfirmation', 'timeout');
      case 'business':
        throw new ErpBusinessError('postConfirmation', 'Order 1000123 is already closed', 400, 'RU/140');
      case 'commit-then-crash':
        this.commit(posting.externalKey);
        throw new WorkerCrash();
    }
  }

  async findConfirmation(key: string): Promise<PostedConfirmation | undefined> {
    this.commitDue();
    if (this.script[0] === 'unavailable') {
      this.script.shift();
      throw new ErpTransientError('findConfirmation', 'SAP 503', 503);
    }
    return this.posted.has(key)
      ? { externalKey: key, confirmationGroup: '0000000001', confirmationCount: '1', alreadyPosted: true }
      : undefined;
  }
}

/** The process died mid-posting: nothing after the ERP call ran. */
class WorkerCrash extends Error {}

/** The ledger's transitions over one in-memory row, with the same conditional claim. */
class MemoryLedger {
  row: ErpPostingRecord = {
    postingKey: KEY,
    kind: 'operation-confirmation',
    plant: 'P100',
    reference: '1000123/0010',
    state: 'pending',
    attempts: 0,
    lastError: null,
    erpCode: null,
    erpDocument: null,
    claimedUntil: null,
    attemptedAt: null,
    createdAt: new Date(clock.now).toISOString(),
    updatedAt: new Date(clock.now).toISOString(),
    postedAt: null,
  };

  async find(): Promise<ErpPostingRecord> {
    return { ...this.row };
  }
  async claim(seen: ErpPostingRecord, leaseMs: number): Promise<boolean> {
    if (seen.state !== this.row.state || seen.attempts !== this.row.attempts) return false;
    this.set('in-flight', {
      attempts: seen.attempts + 1,
      claimedUntil: new Date(Date.now() + leaseMs).toISOString(),
      ...(seen.state === 'pending' ? { attemptedAt: new Date(Date.now()).toISOString() } : {}),
    });
    return true;
  }
  async sendingAgain(_key: string, claimedAttempts: number, leaseMs: number): Promise<boolean> {
    if (this.row.state !== 'in-flight' || this.row.attempts !== claimedAttempts) return false;
    this.set('in-flight', {
      attempts: claimedAttempts + 1,
      attemptedAt: new Date(Date.now()).toISOString(),
      claimedUntil: new Date(Date.now() + leaseMs).toISOString(),
    });
    return true;
  }
  async release(_key: string, state: PostingState, error: string, sentBy?: number): Promise<void> {
    this.set(state, {
      lastError: error,
      claimedUntil: null,
      ...(sentBy === undefined ? {} : { attemptedAt: new Date(sentBy).toISOString() }),
    });
  }
  async markPosted(_key: string, erpDocument: string): Promise<void> {
    this.set('posted', { erpDocument, claimedUntil: null });
  }
  async markFailed(
    _key: string,
    reason: string,
    erpCode: string | null,
    _event: unknown,
    settled = false,
  ): Promise<void> {
    this.set('failed', {
      lastError: reason,
      erpCode,
      claimedUntil: null,
      ...(settled ? { attemptedAt: null } : {}),
    });
  }
  async note(_key: string, why: string): Promise<void> {
    this.row = { ...this.row, lastError: why };
  }
  /** The lease of a crashed worker runs out. */
  expireLease(): void {
    this.row.claimedUntil = new Date(Date.now() - 1).toISOString();
  }
  private set(state: PostingState, changes: Partial<ErpPostingRecord>): void {
    this.row = { ...this.row, ...changes, state };
  }
}

const config = {
  ERP_RETRY_MAX_ATTEMPTS: 1,
  ERP_TIMEOUT_MS: 1000,
  POSTING_GIVE_UP_AFTER_MS: 24 * 3600_000,
  POSTING_RETRY_MAX_DELAY_MS: 1000,
  ERP_REQUEST_LIMIT_MS: REQUEST_LIMIT_MS,
} as ProductionOrderSyncConfig;

const confirmation = {
  id: KEY,
  manufacturingOrder: '1000123',
  operation: '0010',
  plant: 'P100',
  sequence: '0',
  yieldQuantity: 5,
  scrapQuantity: 0,
  reworkQuantity: 0,
  unit: 'PC',
  finalConfirmation: false,
  executionStart: '2026-11-26T06:00:00Z',
  executionEnd: '2026-11-26T07:00:00Z',
  postingDate: null,
} as ConfirmationRecord;
const cause = createEvent(
  Production.OperationConfirmedV1Event,
  samplePayload(Production.OperationConfirmedV1Event.type),
  { plant: 'P100', source: '/test' },
);

function setup(script: ErpBehaviour[], options: { requestLimitMs?: number; lateCommitMs?: number } = {}) {
  const erp = new ScriptedErp(script, options.lateCommitMs);
  const ledger = new MemoryLedger();
  const confirmations = {
    get: async () => confirmation,
    waitingFor: async () => undefined,
    nextOpen: async () => undefined,
  } as unknown as ConfirmationRepository;
  const useCase = new PostConfirmationToErp(erp, ledger as unknown as PostingLedger, confirmations, {
    ...config,
    ERP_REQUEST_LIMIT_MS: options.requestLimitMs ?? REQUEST_LIMIT_MS,
  } as ProductionOrderSyncConfig);
  return { erp, ledger, useCase };
}

/** Delivers the posting's message until it settles, as JetStream would; an operator retries failures once. */
async function deliverUntilSettled(useCase: PostConfirmationToErp, ledger: MemoryLedger): Promise<void> {
  let operatorRetried = false;
  for (let delivery = 0; delivery < 200; delivery++) {
    try {
      await useCase.execute(KEY, cause);
    } catch (error) {
      if (error instanceof WorkerCrash) ledger.expireLease();
      else if (error instanceof RetryLaterError) clock.advance(error.delayMs);
      else throw error;
      continue;
    }
    if (ledger.row.state === 'posted') return;
    if (ledger.row.state === 'failed' && !operatorRetried) {
      // The exception queue's retry: back in as in doubt, so ERP is asked first.
      ledger.row = { ...ledger.row, state: 'in-doubt' };
      operatorRetried = true;
      continue;
    }
    if (ledger.row.state === 'failed') return;
  }
  throw new Error(`did not settle: ${ledger.row.state}`);
}

describe('posting a confirmation to ERP exactly once', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => clock.now));
  afterEach(() => jest.restoreAllMocks());

  it('never posts a key twice and ends posted, whatever ERP and the worker do on the way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.constantFrom<ErpBehaviour>(
            'ok',
            'unavailable',
            'commit-then-drop',
            'drop-before-commit',
            'commit-late',
            'business',
            'commit-then-crash',
          ),
          { maxLength: 12 },
        ),
        async (script) => {
          const { erp, ledger, useCase } = setup([...script]);
          await deliverUntilSettled(useCase, ledger);
          erp.settle();
          expect(erp.posted.get(KEY) ?? 0).toBeLessThanOrEqual(1);
          // A posting ends failed only when ERP refused it twice (before and after the operator's retry).
          if (ledger.row.state === 'posted') expect(erp.posted.get(KEY)).toBe(1);
          else expect(ledger.row.state).toBe('failed');
          if (erp.posted.get(KEY) === 1) expect(ledger.row.state).toBe('posted');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('asks ERP before posting again after a commit whose answer was lost', async () => {
    const { erp, ledger, useCase } = setup(['commit-then-drop']);
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    expect(ledger.row.state).toBe('in-doubt');
    await useCase.execute(KEY, cause);
    expect(ledger.row).toMatchObject({ state: 'posted', attempts: 2 });
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('a write ERP commits after the caller gave up and after the first lookup is not sent again', async () => {
    const { erp, ledger, useCase } = setup(['commit-late'], { lateCommitMs: 5000 });
    await deliverUntilSettled(useCase, ledger);
    erp.settle();
    expect(erp.posted.get(KEY)).toBe(1);
    expect(ledger.row.state).toBe('posted');
  });

  it('with ERP_REQUEST_LIMIT_MS shorter than ERP may take, the same late commit posts twice', async () => {
    // Why the setting matters: the lookup before ERP committed found nothing, and the resend stood too.
    const { erp, ledger, useCase } = setup(['commit-late'], { lateCommitMs: 5000, requestLimitMs: 1000 });
    await deliverUntilSettled(useCase, ledger);
    erp.settle();
    expect(erp.posted.get(KEY)).toBe(2);
  });

  it('a refused posting sent back by an operator goes to ERP without waiting out the request limit', async () => {
    const { erp, ledger, useCase } = setup(['business']);
    await useCase.execute(KEY, cause);
    expect(ledger.row).toMatchObject({ state: 'failed', attemptedAt: null });
    ledger.row = { ...ledger.row, state: 'in-doubt' }; // the exception queue's retry
    await useCase.execute(KEY, cause);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('a posting taken over during a slow lookup is sent by one worker, not by both', async () => {
    const { erp, ledger, useCase } = setup([]);
    ledger.row = {
      ...ledger.row,
      state: 'in-doubt',
      attempts: 1,
      attemptedAt: new Date(clock.now - 2 * REQUEST_LIMIT_MS).toISOString(),
    };
    // Worker A's lookup hangs until its lease has run out and worker B has taken the posting over.
    let answerA!: (found: undefined) => void;
    const lookup = jest.spyOn(erp, 'findConfirmation');
    lookup.mockImplementationOnce(() => new Promise((resolve) => (answerA = resolve)));
    const a = useCase.execute(KEY, cause).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    ledger.expireLease();
    // B: A may have sent it any time before its lease ended, so B waits out the limit from then.
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    answerA(undefined);
    // A read the posting before B took it over; it sees the row changed and sends nothing.
    expect(await a).toBeInstanceOf(RetryLaterError);
    expect(erp.posted.get(KEY)).toBeUndefined();
    await deliverUntilSettled(useCase, ledger);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it("an operator's retry of a posting whose attempt ERP may still commit waits out the request limit", async () => {
    // Failed while in doubt (its message was dead-lettered), retried by an operator a second later.
    const { erp, ledger, useCase } = setup([]);
    ledger.row = {
      ...ledger.row,
      state: 'in-doubt',
      attempts: 1,
      attemptedAt: new Date(clock.now - 1000).toISOString(),
    };
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    expect(erp.posted.get(KEY)).toBeUndefined();
    await deliverUntilSettled(useCase, ledger);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('waits for the lease of a worker that may still be posting', async () => {
    const { ledger, useCase } = setup([]);
    ledger.row = {
      ...ledger.row,
      state: 'in-flight',
      claimedUntil: new Date(Date.now() + 60_000).toISOString(),
    };
    const error = await useCase.execute(KEY, cause).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delayMs).toBeGreaterThan(50_000);
  });

  it('waits for an earlier confirmation of the same operation before posting', async () => {
    const { erp, ledger, useCase } = setup([]);
    const confirmations = (useCase as unknown as { confirmations: ConfirmationRepository }).confirmations;
    jest
      .spyOn(confirmations, 'waitingFor')
      .mockResolvedValueOnce({ key: '0192f0c1-0000-7000-8000-000000000001', failed: false });
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    expect(ledger.row).toMatchObject({ state: 'pending', attempts: 0 });
    await useCase.execute(KEY, cause);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('behind a failed confirmation of its operation, waits pending without holding its message', async () => {
    const { erp, ledger, useCase } = setup([]);
    const confirmations = (useCase as unknown as { confirmations: ConfirmationRepository }).confirmations;
    const failed = '0192f0c1-0000-7000-8000-000000000001';
    jest.spyOn(confirmations, 'waitingFor').mockResolvedValue({ key: failed, failed: true });
    // Resolves (the message is acked): a retry delay would keep it pending at JetStream, and 1,000
    // of them stopped every posting of the plant.
    await useCase.execute(KEY, cause);
    expect(ledger.row).toMatchObject({
      state: 'pending',
      attempts: 0,
      lastError: expect.stringContaining(failed),
    });
    expect(erp.posted.get(KEY)).toBeUndefined();
  });

  it("posts the confirmations that waited behind a discarded one when the discard's message drives them", async () => {
    const { erp, ledger, useCase } = setup([]);
    const confirmations = (useCase as unknown as { confirmations: ConfirmationRepository }).confirmations;
    const discarded = { ...confirmation, id: '0192f0c1-0000-7000-8000-000000000009' } as ConfirmationRecord;
    jest
      .spyOn(confirmations, 'get')
      .mockImplementation(async (id) => (id === discarded.id ? discarded : confirmation));
    jest.spyOn(confirmations, 'nextOpen').mockResolvedValueOnce(KEY).mockResolvedValue(undefined);
    const findReal = ledger.find.bind(ledger);
    jest
      .spyOn(ledger, 'find')
      .mockImplementation(async (key?: unknown) =>
        key === discarded.id ? { ...ledger.row, postingKey: discarded.id, state: 'discarded' } : findReal(),
      );
    await useCase.execute(discarded.id, cause, true);
    expect(erp.posted.get(KEY)).toBe(1);
    expect(ledger.row.state).toBe('posted');
  });

  it('honours Retry-After from ERP as the redelivery delay', async () => {
    const { useCase } = setup([]);
    const erp = (useCase as unknown as { erp: ConfirmationsPort }).erp as ScriptedErp;
    jest
      .spyOn(erp, 'postConfirmation')
      .mockRejectedValueOnce(new ErpTransientError('postConfirmation', 'SAP 429', 429, 7000));
    const error = await useCase.execute(KEY, cause).catch((e: unknown) => e);
    expect(error).toMatchObject({ delayMs: 7000 });
  });

  it('sends to the exception queue once ERP has refused for longer than POSTING_GIVE_UP_AFTER_MS', async () => {
    const { ledger, useCase } = setup(['unavailable']);
    ledger.row = { ...ledger.row, createdAt: new Date(Date.now() - 25 * 3600_000).toISOString() };
    await useCase.execute(KEY, cause);
    expect(ledger.row).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/^gave up after 1 attempts/),
    });
  });

  it('dead-letters a message whose posting has no ledger entry', async () => {
    const { ledger, useCase } = setup([]);
    jest.spyOn(ledger, 'find').mockResolvedValueOnce(null as unknown as ErpPostingRecord);
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(PermanentError);
  });
});
