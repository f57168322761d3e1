import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  Admitted,
  type CommandRequest,
  Idempotent,
  IdempotentCommand,
  type IdempotentHttpResponse,
  RequiresScope,
  sendIdempotent,
  ServedPlantPipe,
} from '@plantbridge/service-runtime';
import { ConfirmationIdParam, OrderParam } from '../common/path-params';
import { AcceptConfirmation } from './accept-confirmation.usecase';
import { ConfirmationRepository } from './confirmation.repository';
import { ConfirmOperationRequest } from './confirmation.requests';
import { ConfirmationView } from './confirmation.views';
import { OrderRepository } from '../orders/order.repository';

/** Operation confirmations from MES: accepted at once (202), posted to ERP exactly once, later. */
@ApiTags('confirmations')
@Controller('v1/plants/:plant/production-orders/:order/confirmations')
export class ConfirmationsController {
  constructor(
    private readonly accept: AcceptConfirmation,
    private readonly confirmations: ConfirmationRepository,
    private readonly orders: OrderRepository,
  ) {}

  @Post()
  @RequiresScope('confirmations:write')
  @HttpCode(202)
  @Idempotent()
  @Admitted()
  @ApiOperation({
    summary: 'Confirm progress of an operation (yield, scrap, rework); posted to ERP asynchronously',
    description:
      'Answers 202 with the status resource (also in Location). 409: order closed or rejected. 422: unknown operation, another unit, or quantities above the order quantity plus tolerance.',
  })
  @ApiAcceptedResponse({ type: ConfirmationView })
  @ApiNotFoundResponse({ description: 'Unknown plant or order' })
  @ApiUnprocessableEntityResponse({ description: 'A rule of the order refuses the confirmation' })
  confirm(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
    @Body() body: ConfirmOperationRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<ConfirmationView> {
    const ctx = { ...command, plant, manufacturingOrder: order };
    return sendIdempotent(res, this.accept.fromMes(ctx, body), (view) => statusPath(view));
  }

  @Get()
  @RequiresScope('orders:read')
  @ApiOperation({ summary: 'Confirmations of an order with their ERP posting status' })
  @ApiOkResponse({ type: [ConfirmationView] })
  async list(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
  ): Promise<ConfirmationView[]> {
    await this.orders.get(plant, order); // 404 for an order the plant does not know, not an empty list
    return this.confirmations.listForOrder(plant, order);
  }

  @Get(':id')
  @RequiresScope('orders:read')
  @ApiOperation({
    summary: 'Status of one confirmation: accepted, posting, posted (with the ERP document), failed',
  })
  @ApiOkResponse({ type: ConfirmationView })
  get(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
    @Param('id', ConfirmationIdParam) id: string,
  ): Promise<ConfirmationView> {
    return this.confirmations.view(plant, order, id);
  }
}

export function statusPath(view: ConfirmationView): string {
  return `/v1/plants/${view.plant}/production-orders/${view.manufacturingOrder}/confirmations/${view.confirmationId}`;
}
