import { IsIn, IsNumber, IsString } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsUnitOfMeasure, Optional } from '../../../common/field-rules';
import { EquipmentEventV1 } from '../../common/equipment-event';

export const THRESHOLD_DIRECTIONS = ['above-high', 'below-low', 'back-in-range'] as const;
export type ThresholdDirection = (typeof THRESHOLD_DIRECTIONS)[number];

/** A measurement left or re-entered its limits (after hysteresis, so it does not flap). */
export class ThresholdCrossedV1 extends EquipmentEventV1 {
  @IsIdentifier()
  signal!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  limit!: number;

  @IsString()
  @IsIn(THRESHOLD_DIRECTIONS)
  direction!: ThresholdDirection;

  @Optional()
  @IsUnitOfMeasure()
  unit?: string;
}

export const ThresholdCrossedV1Event = defineEvent('equipment', 'threshold-crossed', 1, ThresholdCrossedV1);
