import { Logger } from '@nestjs/common';
import { createEvent, Production } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { type ConfirmationPosting, ConfirmationsPort, type PostedConfirmation } from '@plantbridge/erp';
import {
  assertExactlyOnceUnderAnyFaultScript,
  type FaultScriptedErp,
  type ScriptedDocument,
  testClock,
} from '@plantbridge/erp-posting/testing';
import type { ConfirmationRecord } from '../confirmations/confirmation.entity';
import type { ConfirmationRepository } from '../confirmations/confirmation.repository';
import { OperationConfirmationKind } from './operation-confirmation.kind';

const KEY = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';

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

/** SAP's confirmation service over the fault-scripted ERP, keyed by ExternalSystemConfirmation. */
class ScriptedConfirmations extends ConfirmationsPort {
  constructor(private readonly erp: FaultScriptedErp) {
    super();
  }
  async postConfirmation(posting: ConfirmationPosting): Promise<PostedConfirmation> {
    return toPosted(await this.erp.post(posting.externalKey));
  }
  async findConfirmation(externalKey: string): Promise<PostedConfirmation | undefined> {
    const found = await this.erp.find(externalKey);
    return found && toPosted(found);
  }
}

const toPosted = (d: ScriptedDocument): PostedConfirmation => ({
  externalKey: d.key,
  confirmationGroup: '0000000001',
  confirmationCount: d.number,
  alreadyPosted: d.alreadyPosted,
});

describe('operation confirmations as ERP postings', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  beforeEach(() => testClock.install());
  afterEach(() => jest.restoreAllMocks());

  it('reach ERP exactly once, whatever ERP and the worker do on the way', async () => {
    const repository = { get: async () => confirmation } as unknown as ConfirmationRepository;
    await assertExactlyOnceUnderAnyFaultScript({
      kind: (erp) => new OperationConfirmationKind(new ScriptedConfirmations(erp), repository),
      postingKey: KEY,
      cause,
    });
  });
});
