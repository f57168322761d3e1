import { IsIn, IsString, Matches } from 'class-validator';
import {
  IsBatch,
  IsIdentifier,
  IsMaterialNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsStorageLocation,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../common/field-rules';

export const MOVEMENT_KINDS = ['goods-issue', 'goods-receipt', 'transfer', 'scrap'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/**
 * The fields every material movement event shares (SAP `A_MaterialDocumentItem`). Versioned with the
 * events that use it: a v2 movement gets its own copy in its own folder.
 */
export class MaterialMovementV1 {
  /** Business idempotency key of the movement (one ERP material document item at most). */
  @IsIdentifier(40)
  movementKey!: string;

  @IsString()
  @IsIn(MOVEMENT_KINDS)
  movementKind!: MovementKind;

  /**
   * SAP `GoodsMovementType`, e.g. 261 issue to order, 101 receipt, 311 transfer, 551 scrap; a
   * reversal has the reversing type (262, 102, 312, 552) and `reversesMovementKey`.
   */
  @IsString()
  @Matches(/^\d{3}$/)
  goodsMovementType!: string;

  @IsMaterialNumber()
  material!: string;

  @IsPlantCode()
  plant!: string;

  @IsStorageLocation()
  storageLocation!: string;

  /** Destination of a transfer. */
  @Optional()
  @IsStorageLocation()
  issuingOrReceivingStorageLocation?: string;

  @IsQuantity()
  quantity!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @Optional()
  @IsBatch()
  batch?: string;

  @Optional()
  @IsOrderNumber()
  manufacturingOrder?: string;

  /** SAP `GoodsMovementReasonCode` (NUMC 4: up to 4 digits), e.g. why material was scrapped. */
  @Optional()
  @IsString()
  @Matches(/^\d{1,4}$/, { message: "$property must be SAP's reason code: 1 to 4 digits" })
  movementReason?: string;

  /** The movement this one reverses (SAP `CancelItem` of its material document item). */
  @Optional()
  @IsIdentifier(40)
  reversesMovementKey?: string;

  /** The operation confirmation an automatic receipt or backflush came from. */
  @Optional()
  @IsIdentifier(40)
  confirmationKey?: string;

  @IsTimestamp()
  occurredAt!: string;
}

/** What names one movement in the events that move its ERP posting (retry, discard). */
export class MaterialMovementReferenceV1 {
  @IsIdentifier(40)
  movementKey!: string;

  @IsPlantCode()
  plant!: string;

  @IsMaterialNumber()
  material!: string;
}
