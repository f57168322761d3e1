import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsMaterialNumber, Optional } from '@plantbridge/canonical-model';
import {
  type CommandRequest,
  Idempotent,
  IdempotentCommand,
  type IdempotentHttpResponse,
  RequiresScope,
  sendIdempotent,
  ServedPlantPipe,
} from '@plantbridge/service-runtime';
import { ReconcileStock } from './reconcile-stock.usecase';
import type { StockReconciliationRecord } from './stock-position.entity';
import { StockProjection } from './stock-projection';

export class StockQuery {
  @ApiPropertyOptional() @Optional() @IsMaterialNumber() material?: string;
}

export class StockPositionView {
  @ApiProperty() material!: string;
  @ApiProperty() storageLocation!: string;
  @ApiPropertyOptional() batch?: string;
  @ApiProperty({ enum: ['unrestricted', 'quality-inspection', 'blocked'] }) stockType!: string;
  @ApiProperty({
    description:
      "What the posted movements make it; before openedAt only their net (ERP's opening stock not yet known)",
  })
  quantity!: number;
  @ApiProperty() unit!: string;
  @ApiPropertyOptional({ description: "When a reconciliation took ERP's stock as the opening balance" })
  openedAt?: string;
  @ApiProperty() updatedAt!: string;
}

/** The stock projection from posted movements, and its reconciliation with ERP's stock. */
@ApiTags('stock')
@Controller('v1/plants/:plant/stock')
export class StockController {
  constructor(
    private readonly projection: StockProjection,
    private readonly reconcile: ReconcileStock,
  ) {}

  @Get()
  @RequiresScope('inventory:read')
  @ApiOperation({ summary: 'The stock projection: per material, storage location, batch and stock type' })
  @ApiOkResponse({ type: [StockPositionView] })
  async list(
    @Param('plant', ServedPlantPipe) plant: string,
    @Query() query: StockQuery,
  ): Promise<StockPositionView[]> {
    const positions = await this.projection.list(plant, query.material);
    return positions.map((p) => ({
      material: p.material,
      storageLocation: p.storageLocation,
      batch: p.batch || undefined,
      stockType: p.stockType,
      quantity: Math.round(p.quantity * 1000) / 1000,
      unit: p.unit,
      openedAt: p.openedAt ?? undefined,
      updatedAt: p.updatedAt,
    }));
  }

  @Get('reconciliations')
  @RequiresScope('inventory:read')
  @ApiOperation({ summary: 'The latest reconciliations with ERP, newest first, with what differed' })
  reconciliations(@Param('plant', ServedPlantPipe) _plant: string): Promise<StockReconciliationRecord[]> {
    return this.reconcile.latest();
  }

  @Post('reconciliations')
  @RequiresScope('stock:reconcile')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: "Compare the projection with ERP's stock now; answers the run (ERP is never corrected)",
    description: '503: ERP cannot be read.',
  })
  run(
    @Param('plant', ServedPlantPipe) _plant: string,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<StockReconciliationRecord> {
    return sendIdempotent(res, this.reconcile.onDemand(command));
  }
}
