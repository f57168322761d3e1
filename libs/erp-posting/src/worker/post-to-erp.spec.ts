import { Logger } from '@nestjs/common';
import { type CanonicalEvent, createEvent, type EventOrigin, Production } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { ErpTransientError } from '@plantbridge/erp';
import { PermanentError, RetryLaterError } from '@plantbridge/messaging';
import {
  assertExactlyOnceUnderAnyFaultScript,
  deliverUntilSettled,
  type ErpBehaviour,
  FaultScriptedErp,
  MemoryLedger,
  postingWorkerFor,
  REQUEST_LIMIT_MS,
  type ScriptedDocument,
  testClock as clock,
} from '../../testing';
import type { ErpPostingRecord } from '../ledger/erp-posting.entity';
import type { PostingKind } from '../posting-kind';

const KEY = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';

const cause = createEvent(
  Production.OperationConfirmedV1Event,
  samplePayload(Production.OperationConfirmedV1Event.type),
  { plant: 'P100', source: '/test' },
);

/** A kind whose document is its key, posted to the fault-scripted ERP. */
function scriptedKind(erp: FaultScriptedErp): PostingKind<{ key: string }, ScriptedDocument> {
  const event = (origin: EventOrigin) => ({ ...cause, source: origin.source }) as CanonicalEvent;
  return {
    name: 'test-posting',
    noun: 'document',
    triggers: {
      requested: Production.OperationConfirmedV1Event,
      retryRequested: Production.ConfirmationRetryRequestedV1Event,
      discarded: Production.ConfirmationDiscardedV1Event,
    },
    keyOf: () => undefined,
    orderingReferenceOf: () => undefined,
    load: async (key) => ({ key }),
    subjectOf: () => '1000123',
    describe: (d) => d.key,
    post: (d) => erp.post(d.key),
    find: (key) => erp.find(key),
    documentOf: (r) => r.number,
    posted: (_d, _r, origin) => event(origin),
    failed: (_d, _f, origin) => event(origin),
    retryRequested: (_d, _a, origin) => event(origin),
    discarded: (_d, _a, origin) => event(origin),
  };
}

function setup(script: ErpBehaviour[], options: { requestLimitMs?: number; lateCommitMs?: number } = {}) {
  const erp = new FaultScriptedErp(script, options.lateCommitMs);
  const kind = scriptedKind(erp);
  const ledger = new MemoryLedger(KEY, kind.name);
  const useCase = postingWorkerFor(kind, ledger, {
    ERP_REQUEST_LIMIT_MS: options.requestLimitMs ?? REQUEST_LIMIT_MS,
  });
  return { erp, kind, ledger, useCase };
}

describe('posting to ERP exactly once', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  beforeEach(() => clock.install());
  afterEach(() => jest.restoreAllMocks());

  it('never posts a key twice and ends posted, whatever ERP and the worker do on the way', async () => {
    await assertExactlyOnceUnderAnyFaultScript({ kind: scriptedKind, postingKey: KEY, cause });
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
    await deliverUntilSettled(useCase, ledger, cause);
    erp.settle();
    expect(erp.posted.get(KEY)).toBe(1);
    expect(ledger.row.state).toBe('posted');
  });

  it('with ERP_REQUEST_LIMIT_MS shorter than ERP may take, the same late commit posts twice', async () => {
    // Why the setting matters: the lookup before ERP committed found nothing, and the resend stood too.
    const { erp, ledger, useCase } = setup(['commit-late'], { lateCommitMs: 5000, requestLimitMs: 1000 });
    await deliverUntilSettled(useCase, ledger, cause);
    erp.settle();
    expect(erp.posted.get(KEY)).toBe(2);
  });

  it('a refused posting sent back by an operator goes to ERP without waiting out the request limit', async () => {
    const { erp, ledger, useCase } = setup(['business']);
    await useCase.execute(KEY, cause);
    expect(ledger.row).toMatchObject({ state: 'failed', attemptedAt: null });
    ledger.retryByOperator();
    await useCase.execute(KEY, cause);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('a posting taken over during a slow lookup is sent by one worker, not by both', async () => {
    const { erp, kind, ledger, useCase } = setup([]);
    // Worker B is another replica: its own lanes.
    const workerB = postingWorkerFor(kind, ledger, { ERP_REQUEST_LIMIT_MS: REQUEST_LIMIT_MS });
    ledger.row = {
      ...ledger.row,
      state: 'in-doubt',
      attempts: 1,
      attemptedAt: new Date(clock.now - 2 * REQUEST_LIMIT_MS).toISOString(),
    };
    // Worker A's lookup hangs until its lease has run out and worker B has taken the posting over.
    let answerA!: (found: undefined) => void;
    const lookup = jest.spyOn(erp, 'find');
    lookup.mockImplementationOnce(() => new Promise((resolve) => (answerA = resolve)));
    const a = useCase.execute(KEY, cause).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    ledger.expireLease();
    // B: A may have sent it any time before its lease ended, so B waits out the limit from then.
    await expect(workerB.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    answerA(undefined);
    // A read the posting before B took it over; it sees the row changed and sends nothing.
    expect(await a).toBeInstanceOf(RetryLaterError);
    expect(erp.posted.get(KEY)).toBeUndefined();
    await deliverUntilSettled(useCase, ledger, cause);
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
    await deliverUntilSettled(useCase, ledger, cause);
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

  it('waits for an earlier posting of the same reference before posting', async () => {
    const { erp, ledger, useCase } = setup([]);
    jest
      .spyOn(ledger, 'waitingFor')
      .mockResolvedValueOnce({ key: '0192f0c1-0000-7000-8000-000000000001', failed: false });
    await expect(useCase.execute(KEY, cause)).rejects.toBeInstanceOf(RetryLaterError);
    expect(ledger.row).toMatchObject({ state: 'pending', attempts: 0 });
    await useCase.execute(KEY, cause);
    expect(erp.posted.get(KEY)).toBe(1);
  });

  it('behind a failed posting of its reference, waits pending without holding its message', async () => {
    const { erp, ledger, useCase } = setup([]);
    const failed = '0192f0c1-0000-7000-8000-000000000001';
    jest.spyOn(ledger, 'waitingFor').mockResolvedValue({ key: failed, failed: true });
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

  it("posts the postings that waited behind a discarded one when the discard's message drives them", async () => {
    const { erp, ledger, useCase } = setup([]);
    const discarded = '0192f0c1-0000-7000-8000-000000000009';
    const findReal = ledger.find.bind(ledger);
    jest
      .spyOn(ledger, 'find')
      .mockImplementation(async (key?: unknown) =>
        key === discarded ? { ...ledger.row, postingKey: discarded, state: 'discarded' } : findReal(),
      );
    jest.spyOn(ledger, 'nextOpen').mockImplementationOnce(findReal).mockResolvedValue(undefined);
    await useCase.execute(discarded, cause, { drive: true });
    expect(erp.posted.get(KEY)).toBe(1);
    expect(ledger.row.state).toBe('posted');
  });

  it('honours Retry-After from ERP as the redelivery delay', async () => {
    const { erp, useCase } = setup([]);
    jest.spyOn(erp, 'post').mockRejectedValueOnce(new ErpTransientError('post', 'SAP 429', 429, 7000));
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
