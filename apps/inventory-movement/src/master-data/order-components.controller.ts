import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { RequiresScope, ServedPlantPipe } from '@plantbridge/service-runtime';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OrderParam } from '../common/path-params';
import { MovementRepository } from '../movements/movement.repository';
import { MasterData } from './master-data';

export class OrderComponentView {
  @ApiProperty() reservation!: string;
  @ApiProperty() reservationItem!: string;
  @ApiProperty() material!: string;
  @ApiPropertyOptional({ description: 'The operation it is staged for' }) operation?: string;
  @ApiProperty() storageLocation!: string;
  @ApiPropertyOptional({ description: 'The batch ERP reserved' }) batch?: string;
  @ApiProperty() requiredQuantity!: number;
  @ApiProperty({ description: 'Withdrawn, as ERP had it when last read' }) withdrawnInErp!: number;
  @ApiProperty({ description: 'Issued through Plantbridge (posted or not yet), reversals taken off' })
  issued!: number;
  @ApiProperty({ description: 'Required minus the larger of the two' }) openQuantity!: number;
  @ApiProperty() unit!: string;
  @ApiProperty({ description: 'Withdrawn by backflush when its operation is confirmed' }) backflush!: boolean;
}

export class OrderComponentsView {
  @ApiProperty() manufacturingOrder!: string;
  @ApiProperty({ description: 'What the order makes' }) material!: string;
  @ApiProperty() totalQuantity!: number;
  @ApiProperty() unit!: string;
  @ApiPropertyOptional({ description: 'Where the output is received' }) storageLocation?: string;
  @ApiProperty({ type: [OrderComponentView] }) components!: OrderComponentView[];
}

/** What an order consumes and what is still open, for the MES or WMS staging material. */
@ApiTags('order-components')
@Controller('v1/plants/:plant/order-components')
export class OrderComponentsController {
  constructor(
    private readonly masterData: MasterData,
    private readonly movements: MovementRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get(':order')
  @RequiresScope('inventory:read')
  @ApiOperation({ summary: "An order's components (ERP's reservations) with what is issued and still open" })
  @ApiOkResponse({ type: OrderComponentsView })
  async get(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) manufacturingOrder: string,
  ): Promise<OrderComponentsView> {
    const order = await this.masterData.refreshOrder(plant, manufacturingOrder);
    const components = await Promise.all(
      order.components.map(async (c) => {
        const issued = await this.movements.orderQuantity(this.dataSource.manager, {
          plant,
          manufacturingOrder,
          goodsMovementType: '261',
          reservation: c.reservation,
          reservationItem: c.reservationItem,
        });
        const open = Math.max(0, c.requiredQuantity - Math.max(issued, c.withdrawnQuantity));
        return {
          reservation: c.reservation,
          reservationItem: c.reservationItem,
          material: c.material,
          operation: c.operation || undefined,
          storageLocation: c.storageLocation,
          batch: c.batch || undefined,
          requiredQuantity: c.requiredQuantity,
          withdrawnInErp: c.withdrawnQuantity,
          issued,
          openQuantity: Math.round(open * 1000) / 1000,
          unit: c.unit,
          backflush: c.backflush,
        };
      }),
    );
    return {
      manufacturingOrder,
      material: order.material,
      totalQuantity: order.totalQuantity,
      unit: order.unit,
      storageLocation: order.storageLocation ?? undefined,
      components,
    };
  }
}
