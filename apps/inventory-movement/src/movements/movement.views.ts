import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErpPostingRecord, PostingState } from '@plantbridge/erp-posting';
import type { MaterialMovementRecord } from './material-movement.entity';
import { parseMaterialDocumentKey } from './movement-document';
import { MOVEMENT_STATUSES, type MovementStatus } from './movement.requests';

/** What MES sees of the ledger: accepted (waiting), posting (sent or being resolved), and the ends. */
const STATUS_BY_STATE: Record<PostingState, MovementStatus> = {
  pending: 'accepted',
  'in-flight': 'posting',
  'in-doubt': 'posting',
  posted: 'posted',
  failed: 'failed',
  discarded: 'discarded',
};

/** The ledger states behind each status, for filters. */
export const STATES_OF_STATUS = Object.fromEntries(
  MOVEMENT_STATUSES.map((status) => [
    status,
    (Object.keys(STATUS_BY_STATE) as PostingState[]).filter((state) => STATUS_BY_STATE[state] === status),
  ]),
) as Record<MovementStatus, PostingState[]>;

export class MaterialDocumentView {
  @ApiProperty({ example: '4900000001', description: 'SAP MaterialDocument' }) materialDocument!: string;
  @ApiProperty({ example: '2026', description: 'SAP MaterialDocumentYear' }) materialDocumentYear!: string;
  @ApiProperty({ example: '0001', description: 'SAP MaterialDocumentItem' }) materialDocumentItem!: string;
}

export class MovementView {
  @ApiProperty({ description: "The movement's key, also in the SAP item text (PB:<id>)" })
  movementId!: string;
  @ApiProperty() plant!: string;
  @ApiProperty({ enum: ['goods-issue', 'goods-receipt', 'transfer', 'scrap'] }) movementKind!: string;
  @ApiProperty({
    example: '261',
    description: 'SAP GoodsMovementType; a reversal has the reversing type (262, …)',
  })
  goodsMovementType!: string;
  @ApiProperty() material!: string;
  @ApiProperty() storageLocation!: string;
  @ApiPropertyOptional() receivingStorageLocation?: string;
  @ApiPropertyOptional() batch?: string;
  @ApiProperty() quantity!: number;
  @ApiProperty() unit!: string;
  @ApiProperty({ enum: ['unrestricted', 'quality-inspection', 'blocked'] }) stockType!: string;
  @ApiPropertyOptional() manufacturingOrder?: string;
  @ApiPropertyOptional({ description: 'SAP GoodsMovementReasonCode' }) reasonCode?: string;
  @ApiPropertyOptional({ description: 'The movement this one reverses' }) reversesMovementId?: string;
  @ApiPropertyOptional({ description: 'The movement that reverses this one' }) reversedByMovementId?: string;
  @ApiPropertyOptional({ description: 'The confirmation an automatic movement came from' })
  confirmationKey?: string;
  @ApiProperty({ enum: ['mes', 'confirmation'] }) source!: string;
  @ApiProperty({ enum: MOVEMENT_STATUSES }) status!: MovementStatus;
  @ApiPropertyOptional({ type: MaterialDocumentView }) materialDocument?: MaterialDocumentView;
  @ApiPropertyOptional({ description: "ERP's reason when failed" }) failureReason?: string;
  @ApiPropertyOptional({ description: "ERP's message id when failed, e.g. M7/021" }) erpCode?: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() acceptedAt!: string;
  @ApiPropertyOptional() postedAt?: string;
}

export function toMovementView(
  m: MaterialMovementRecord,
  posting: ErpPostingRecord,
  reversedBy?: string,
): MovementView {
  const failed = posting.state === 'failed';
  return {
    movementId: m.id,
    plant: m.plant,
    movementKind: m.movementKind,
    goodsMovementType: m.goodsMovementType,
    material: m.material,
    storageLocation: m.storageLocation,
    receivingStorageLocation: m.receivingStorageLocation ?? undefined,
    batch: m.batch ?? undefined,
    quantity: m.quantity,
    unit: m.unit,
    stockType: m.stockType,
    manufacturingOrder: m.manufacturingOrder ?? undefined,
    reasonCode: m.movementReason ?? undefined,
    reversesMovementId: m.reversesMovementKey ?? undefined,
    reversedByMovementId: reversedBy,
    confirmationKey: m.confirmationKey ?? undefined,
    source: m.source,
    status: STATUS_BY_STATE[posting.state],
    materialDocument: posting.state === 'posted' ? parseMaterialDocumentKey(posting.erpDocument) : undefined,
    failureReason: failed ? (posting.lastError ?? undefined) : undefined,
    erpCode: failed ? (posting.erpCode ?? undefined) : undefined,
    occurredAt: m.occurredAt,
    acceptedAt: m.acceptedAt,
    postedAt: posting.postedAt ?? undefined,
  };
}
