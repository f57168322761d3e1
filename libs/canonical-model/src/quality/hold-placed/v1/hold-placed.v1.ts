import { defineEvent } from '../../../catalog/event-definition';
import {
  IsBatch,
  IsIdentifier,
  IsMaterialNumber,
  IsPlantCode,
  IsStorageLocation,
  IsText,
  IsTimestamp,
  Optional,
} from '../../../common/field-rules';

/** Stock of a material (optionally one batch or location) is blocked: no goods movement until released. */
export class HoldPlacedV1 {
  @IsIdentifier(40)
  holdId!: string;

  @IsPlantCode()
  plant!: string;

  @IsMaterialNumber()
  material!: string;

  @Optional()
  @IsBatch()
  batch?: string;

  @Optional()
  @IsStorageLocation()
  storageLocation?: string;

  @IsText(255)
  reason!: string;

  @IsTimestamp()
  placedAt!: string;
}

export const HoldPlacedV1Event = defineEvent('quality', 'hold-placed', 1, HoldPlacedV1);
