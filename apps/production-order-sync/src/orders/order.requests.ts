import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { IsRequestTimestamp } from '../common/request-rules';

export class AcknowledgeOrderRequest {
  @ApiProperty({ description: 'true accepts the order for production; false rejects it (give a reason)' })
  @IsBoolean()
  accepted!: boolean;

  @ApiPropertyOptional({ description: 'Required when rejecting', maxLength: 255 })
  @ValidateIf((r: AcknowledgeOrderRequest) => r.accepted === false || r.rejectionReason !== undefined)
  @IsString()
  @Length(1, 255)
  rejectionReason?: string;

  @ApiPropertyOptional({ example: 'mes-line-1', maxLength: 64 })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  acknowledgedBy?: string;
}

export class StartOperationRequest {
  @ApiPropertyOptional({
    description: 'The machine the operation runs on; the edge gateway learns the context',
    example: 'P100-L1-M01',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  equipmentId?: string;

  @ApiPropertyOptional({ description: 'Defaults to now' })
  @IsOptional()
  @IsRequestTimestamp()
  startedAt?: string;
}

export class CompleteOperationRequest {
  @ApiPropertyOptional({ description: 'Defaults to now' })
  @IsOptional()
  @IsRequestTimestamp()
  completedAt?: string;
}

export class ListOrdersQuery {
  @ApiPropertyOptional({ enum: ['released', 'acknowledged', 'rejected', 'in-progress', 'completed'] })
  @IsOptional()
  @IsIn(['released', 'acknowledged', 'rejected', 'in-progress', 'completed'])
  status?: 'released' | 'acknowledged' | 'rejected' | 'in-progress' | 'completed';
}
