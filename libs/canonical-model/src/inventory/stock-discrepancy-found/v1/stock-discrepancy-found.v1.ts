import { IsIn, IsNumber, IsString } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import {
  IsBatch,
  IsIdentifier,
  IsStorageLocation,
  Optional,
  IsMaterialNumber,
  IsPlantCode,
  IsTimestamp,
  IsUnitOfMeasure,
} from '../../../common/field-rules';

export const STOCK_TYPES = ['unrestricted', 'quality-inspection', 'blocked'] as const;

/**
 * A reconciliation found ERP's stock of one position different from what the plant's posted
 * movements make it. Plantbridge never corrects ERP by itself: this is for people to look at.
 */
export class StockDiscrepancyFoundV1 {
  /** The reconciliation run that found it. */
  @IsIdentifier(40)
  reconciliationId!: string;

  @IsPlantCode()
  plant!: string;

  @IsMaterialNumber()
  material!: string;

  @IsStorageLocation()
  storageLocation!: string;

  /** Absent for a material without batches. */
  @Optional()
  @IsBatch()
  batch?: string;

  @IsString()
  @IsIn(STOCK_TYPES)
  stockType!: (typeof STOCK_TYPES)[number];

  /** What the posted movements make it (below 0 when they took more than ERP had). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  projectedQuantity!: number;

  /** What ERP holds (below 0 where ERP allows negative stock). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  erpQuantity!: number;

  /** ERP's minus the projection's. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  difference!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @IsTimestamp()
  foundAt!: string;
}

export const StockDiscrepancyFoundV1Event = defineEvent(
  'inventory',
  'stock-discrepancy-found',
  1,
  StockDiscrepancyFoundV1,
);
