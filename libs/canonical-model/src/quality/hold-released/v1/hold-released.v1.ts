import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsPlantCode, IsTimestamp, Optional } from '../../../common/field-rules';

export class HoldReleasedV1 {
  @IsIdentifier(40)
  holdId!: string;

  @IsPlantCode()
  plant!: string;

  /** SAP usage decision code, when the release follows one (e.g. `A` accepted). */
  @Optional()
  @IsIdentifier(4)
  usageDecision?: string;

  @IsTimestamp()
  releasedAt!: string;
}

export const HoldReleasedV1Event = defineEvent('quality', 'hold-released', 1, HoldReleasedV1);
