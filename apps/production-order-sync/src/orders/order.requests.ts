import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIdentifier, IsText, IsTimestamp, Optional } from '@plantbridge/canonical-model';
import { IsBoolean, IsIn, IsOptional, ValidateIf } from 'class-validator';

// Each request's fields follow the rules of the event it becomes (order-acknowledged,
// operation-started, operation-completed), from canonical-model's field rules.

export class AcknowledgeOrderRequest {
  @ApiProperty({ description: 'true accepts the order for production; false rejects it (give a reason)' })
  @IsBoolean()
  accepted!: boolean;

  @ApiPropertyOptional({ description: 'Required when rejecting', maxLength: 255 })
  @ValidateIf((r: AcknowledgeOrderRequest) => r.accepted === false || r.rejectionReason !== undefined)
  @IsText(255)
  rejectionReason?: string;

  @ApiPropertyOptional({ example: 'mes-line-1', maxLength: 64 })
  @Optional()
  @IsText(64)
  acknowledgedBy?: string;
}

export class StartOperationRequest {
  @ApiPropertyOptional({
    description: 'The machine the operation runs on; the edge gateway learns the context',
    example: 'P100-L1-M01',
    maxLength: 64,
  })
  @Optional()
  @IsIdentifier()
  equipmentId?: string;

  @ApiPropertyOptional({ description: 'Defaults to now' })
  @Optional()
  @IsTimestamp()
  startedAt?: string;
}

export class CompleteOperationRequest {
  @ApiPropertyOptional({ description: 'Defaults to now' })
  @Optional()
  @IsTimestamp()
  completedAt?: string;
}

export class ListOrdersQuery {
  @ApiPropertyOptional({ enum: ['released', 'acknowledged', 'rejected', 'in-progress', 'completed'] })
  @IsOptional()
  @IsIn(['released', 'acknowledged', 'rejected', 'in-progress', 'completed'])
  status?: 'released' | 'acknowledged' | 'rejected' | 'in-progress' | 'completed';
}
