import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { POSTING_STATES, type PostingState } from './erp-posting.entity';

export class RetryPostingRequest {
  @ApiProperty({ example: 'shift-lead-2', description: 'Who sends it back to ERP (audited)' })
  @IsString()
  @Length(1, 64)
  requestedBy!: string;

  @ApiPropertyOptional({ example: 'order reopened in ERP', maxLength: 255 })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  reason?: string;
}

export class DiscardPostingRequest {
  @ApiProperty({ example: 'shift-lead-2' })
  @IsString()
  @Length(1, 64)
  requestedBy!: string;

  @ApiProperty({ example: 'entered twice by mistake; posted manually in ERP', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  reason!: string;
}

export class ListPostingsQuery {
  @ApiPropertyOptional({ enum: POSTING_STATES, default: 'failed' })
  @IsOptional()
  @IsIn(POSTING_STATES)
  state?: PostingState;
}
