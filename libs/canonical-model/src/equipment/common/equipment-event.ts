import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { IsIdentifier, IsPlantCode, IsTimestamp, Optional } from '../../common/field-rules';
import { ProductionContext } from '../../common/production-context';

/** What every equipment event carries: which machine, when (at the source and at the OPC UA server). */
export class EquipmentEventV1 {
  @IsIdentifier()
  equipmentId!: string;

  @IsPlantCode()
  plant!: string;

  @IsTimestamp()
  sourceTimestamp!: string;

  @IsTimestamp()
  serverTimestamp!: string;

  /** The order operation running on the equipment, when the gateway knows it. */
  @Optional()
  @IsObject() // ValidateNested alone would let an array through
  @ValidateNested()
  @Type(() => ProductionContext)
  context?: ProductionContext;
}
