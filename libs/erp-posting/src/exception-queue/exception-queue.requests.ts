import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsText, Optional } from '@plantbridge/canonical-model';
import { IsIn, IsOptional } from 'class-validator';
import { POSTING_STATES, type PostingState } from '../ledger/erp-posting.entity';

/**
 * An operator's retry. Its fields keep the rules of the retry-requested event it becomes (every
 * kind's takes `requestedBy` of 64 and `reason` of 255): the REST side accepts nothing the event
 * would refuse.
 */
export class RetryPostingRequest {
  @ApiPropertyOptional({
    example: 'shift-lead-2',
    description: "Whom the caller acts for; the audit records the token's subject as the actor",
  })
  @Optional()
  @IsText(64)
  requestedBy?: string;

  @ApiPropertyOptional({ example: 'order reopened in ERP', maxLength: 255 })
  @Optional()
  @IsText(255)
  reason?: string;
}

export class DiscardPostingRequest {
  @ApiPropertyOptional({
    example: 'shift-lead-2',
    description: "Whom the caller acts for; the audit records the token's subject as the actor",
  })
  @Optional()
  @IsText(64)
  requestedBy?: string;

  @ApiProperty({ example: 'entered twice by mistake; posted manually in ERP', maxLength: 255 })
  @IsText(255)
  reason!: string;
}

export class ListPostingsQuery {
  @ApiPropertyOptional({ enum: POSTING_STATES, default: 'failed' })
  @IsOptional()
  @IsIn(POSTING_STATES)
  state?: PostingState;
}
