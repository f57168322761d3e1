import { IsBoolean } from 'class-validator';
import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../../common/field-rules';
import { defineEvent } from '../../../catalog/event-definition';

/**
 * Progress reported against an order operation (SAP `ProdnOrdConf2`). `confirmationKey` is the
 * business idempotency key and becomes SAP's `ExternalSystemConfirmation`.
 */
export class OperationConfirmedV1 {
  @IsIdentifier(40)
  confirmationKey!: string;

  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;

  @IsQuantity()
  yieldQuantity!: number;

  @IsQuantity()
  scrapQuantity!: number;

  @IsQuantity()
  reworkQuantity!: number;

  @IsUnitOfMeasure()
  unit!: string;

  /** SAP `FinalConfirmationType`: the operation is finished with this confirmation. */
  @IsBoolean()
  finalConfirmation!: boolean;

  @IsTimestamp()
  executionStart!: string;

  @IsTimestamp()
  executionEnd!: string;

  @Optional()
  @IsTimestamp()
  postingDate?: string;
}

export const OperationConfirmedV1Event = defineEvent(
  'production',
  'operation-confirmed',
  1,
  OperationConfirmedV1,
);
