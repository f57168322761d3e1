import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ProductionOrderRecord } from './production-order.entity';

export class OperationView {
  @ApiProperty({ example: '0010' }) operation!: string;
  @ApiProperty({ example: '0' }) sequence!: string;
  @ApiProperty({ example: 'ASSEMBLY' }) workCenter!: string;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional() plannedQuantity?: number;
  @ApiProperty({ enum: ['pending', 'started', 'completed'] }) status!: string;
  @ApiPropertyOptional() equipmentId?: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() completedAt?: string;
  @ApiProperty({ description: 'Yield confirmed so far (accepted confirmations)' }) confirmedYield!: number;
  @ApiProperty() confirmedScrap!: number;
  @ApiProperty() confirmedRework!: number;
}

export class OrderView {
  @ApiProperty({ example: '1000001' }) manufacturingOrder!: string;
  @ApiProperty({ example: 'P100' }) plant!: string;
  @ApiProperty({ example: 'FG-1000' }) material!: string;
  @ApiProperty({ example: 100 }) totalQuantity!: number;
  @ApiProperty({ example: 'PC' }) unit!: string;
  @ApiProperty() scheduledStart!: string;
  @ApiProperty() scheduledEnd!: string;
  @ApiProperty({ enum: ['released', 'acknowledged', 'rejected', 'in-progress', 'completed'] })
  status!: string;
  @ApiProperty({ enum: ['created', 'released', 'technically-completed', 'closed'] }) erpStatus!: string;
  @ApiPropertyOptional() rejectionReason?: string;
  @ApiPropertyOptional() acknowledgedBy?: string;
  @ApiPropertyOptional() acknowledgedAt?: string;
  @ApiProperty() releasedAt!: string;
  @ApiProperty({ type: [OperationView] }) operations!: OperationView[];
}

export function toOrderView(order: ProductionOrderRecord): OrderView {
  return {
    manufacturingOrder: order.manufacturingOrder,
    plant: order.plant,
    material: order.material,
    totalQuantity: order.totalQuantity,
    unit: order.unit,
    scheduledStart: order.scheduledStart,
    scheduledEnd: order.scheduledEnd,
    status: order.mesStatus,
    erpStatus: order.erpStatus,
    rejectionReason: order.rejectionReason ?? undefined,
    acknowledgedBy: order.acknowledgedBy ?? undefined,
    acknowledgedAt: order.acknowledgedAt ?? undefined,
    releasedAt: order.releasedAt,
    operations: order.operations.map((op) => ({ ...op })),
  };
}
