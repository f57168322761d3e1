import { Logger } from '@nestjs/common';
import { createEvent, Inventory, validateEvent } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import {
  type GoodsMovementPosting,
  type GoodsMovementReversal,
  GoodsMovementsPort,
  type MaterialDocumentItemRef,
  type PostedGoodsMovement,
} from '@plantbridge/erp';
import {
  assertExactlyOnceUnderAnyFaultScript,
  type FaultScriptedErp,
  type ScriptedDocument,
  testClock,
} from '@plantbridge/erp-posting/testing';
import type { MaterialMovementRecord } from '../movements/material-movement.entity';
import type { MovementDocument } from '../movements/movement-document';
import type { MovementRepository } from '../movements/movement.repository';
import type { StockProjection } from '../stock/stock-projection';
import { GoodsMovementKind, toPosting } from './goods-movement.kind';

const KEY = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';
const ORIGINAL = '0192f0c1-0000-7a3b-9c1d-2e3f4a5b6c7d';

const issue: MaterialMovementRecord = {
  id: KEY,
  plant: 'P100',
  movementKind: 'goods-issue',
  goodsMovementType: '261',
  material: 'RM-100',
  storageLocation: '0001',
  receivingStorageLocation: null,
  batch: null,
  quantity: 4,
  unit: 'PC',
  stockType: 'unrestricted',
  manufacturingOrder: '1000123',
  reservation: '0000012345',
  reservationItem: '0001',
  movementReason: null,
  reversesMovementKey: null,
  confirmationKey: null,
  occurredAt: '2026-11-26T07:00:00.000Z',
  source: 'mes',
  sourceRef: 'mv-1',
  acceptedAt: '2026-11-26T07:00:01.000Z',
};

const originalDocument: MaterialDocumentItemRef = {
  materialDocument: '4900000007',
  materialDocumentYear: '2026',
  materialDocumentItem: '0001',
};

const cause = createEvent(
  Inventory.MaterialMovementRequestedV1Event,
  samplePayload(Inventory.MaterialMovementRequestedV1Event.type),
  { plant: 'P100', source: '/test' },
);

/**
 * SAP's material document service over the fault-scripted ERP, keyed by the posting key: a
 * movement is found by the key in its item text; a reversal by the item it reverses, of which SAP
 * holds one reversal at most, so the reversal's key stands for it (the item must be the original's).
 */
class ScriptedGoodsMovements extends GoodsMovementsPort {
  constructor(private readonly erp: FaultScriptedErp) {
    super();
  }
  async postGoodsMovement(posting: GoodsMovementPosting): Promise<PostedGoodsMovement> {
    return toPosted(await this.erp.post(posting.postingKey));
  }
  async findGoodsMovement(postingKey: string): Promise<PostedGoodsMovement | undefined> {
    const found = await this.erp.find(postingKey);
    return found && toPosted(found);
  }
  async reverseGoodsMovement(reversal: GoodsMovementReversal): Promise<PostedGoodsMovement> {
    expect(reversal.original).toEqual(originalDocument);
    return toPosted(await this.erp.post(reversal.postingKey));
  }
  async findReversal(
    postingKey: string,
    original: MaterialDocumentItemRef,
  ): Promise<PostedGoodsMovement | undefined> {
    expect(original).toEqual(originalDocument);
    const found = await this.erp.find(postingKey);
    return found && toPosted(found);
  }
}

const toPosted = (d: ScriptedDocument): PostedGoodsMovement => ({
  postingKey: d.key,
  materialDocument: `49${d.number.padStart(8, '0')}`,
  materialDocumentYear: '2026',
  materialDocumentItem: '0001',
  alreadyPosted: d.alreadyPosted,
});

function kindOver(erp: FaultScriptedErp, document: MovementDocument): GoodsMovementKind {
  const movements = { document: async () => document } as unknown as MovementRepository;
  return new GoodsMovementKind(new ScriptedGoodsMovements(erp), movements, {} as StockProjection);
}

describe('goods movements as ERP postings', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  beforeEach(() => testClock.install());
  afterEach(() => jest.restoreAllMocks());

  it('reach ERP exactly once, whatever ERP and the worker do on the way', async () => {
    await assertExactlyOnceUnderAnyFaultScript({
      kind: (erp) => kindOver(erp, { movement: issue }),
      postingKey: KEY,
      cause,
    });
  });

  it('reversals reach ERP exactly once too, found by the item they reverse', async () => {
    const reversal = { ...issue, goodsMovementType: '262', reversesMovementKey: ORIGINAL };
    await assertExactlyOnceUnderAnyFaultScript({
      kind: (erp) =>
        kindOver(erp, {
          movement: reversal,
          reverses: { movement: { ...issue, id: ORIGINAL }, erpDocument: originalDocument },
        }),
      postingKey: KEY,
      cause,
    });
  });

  it('keeps every movement of a material at a plant in one lane, also for material numbers of 40 characters', () => {
    expect(GoodsMovementKind.orderingReference('P100', 'RM-100')).toBe('P100/RM-100');
    const long = 'M'.repeat(40);
    const reference = GoodsMovementKind.orderingReference('P100', long);
    expect(reference.length).toBeLessThanOrEqual(40);
    expect(GoodsMovementKind.orderingReference('P100', long)).toBe(reference);
    expect(GoodsMovementKind.orderingReference('P100', `${'M'.repeat(39)}N`)).not.toBe(reference);
  });

  it("a refusal's reason that is longer than its event holds is cut, so the event can be written", () => {
    const kind = kindOver({} as FaultScriptedErp, { movement: issue });
    const event = kind.failed(
      { movement: issue },
      { reason: `SAP 503 UNKNOWN: ${'<html>'.repeat(60)}`, at: '2026-11-26T07:00:00.000Z' },
      { plant: 'P100', source: '/test' },
    );
    expect(validateEvent(event)).toMatchObject({ ok: true });
    expect((event.data as { reason: string }).reason.length).toBeLessThanOrEqual(255);
  });

  it('sends SAP the order and reservation of an issue, and the movement time as its posting date', () => {
    expect(toPosting(issue)).toEqual({
      postingKey: KEY,
      goodsMovementType: '261',
      material: 'RM-100',
      plant: 'P100',
      storageLocation: '0001',
      quantity: 4,
      unit: 'PC',
      manufacturingOrder: '1000123',
      reservation: '0000012345',
      reservationItem: '0001',
      postingDate: '2026-11-26T07:00:00.000Z',
    });
  });
});
