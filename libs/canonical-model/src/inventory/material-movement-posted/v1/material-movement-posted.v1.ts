import { IsString, Matches } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier } from '../../../common/field-rules';
import { MaterialMovementV1 } from '../../common/material-movement';

/** ERP posted the movement as a material document. */
export class MaterialMovementPostedV1 extends MaterialMovementV1 {
  @IsIdentifier(10)
  materialDocument!: string;

  @IsString()
  @Matches(/^\d{4}$/)
  materialDocumentYear!: string;
}

export const MaterialMovementPostedV1Event = defineEvent(
  'inventory',
  'material-movement-posted',
  1,
  MaterialMovementPostedV1,
);
