import { IsInt, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsUnitOfMeasure } from '../../../common/field-rules';
import { EquipmentEventV1 } from '../../common/equipment-event';

/** Parts produced since the previous event of this equipment (counter deltas, never raw counter values). */
export class CycleCompletedV1 extends EquipmentEventV1 {
  @IsInt()
  @Min(0)
  goodCount!: number;

  @IsInt()
  @Min(0)
  scrapCount!: number;

  @IsUnitOfMeasure()
  unit!: string;
}

export const CycleCompletedV1Event = defineEvent('equipment', 'cycle-completed', 1, CycleCompletedV1);
