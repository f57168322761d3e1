import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type CommandRequest,
  Idempotent,
  IdempotentCommand,
  type IdempotentHttpResponse,
  RequiresScope,
  sendIdempotent,
  ServedPlantPipe,
} from '@plantbridge/service-runtime';
import { OperationParam, OrderParam } from '../common/path-params';
import { OrderCommands } from './order-commands.usecase';
import {
  AcknowledgeOrderRequest,
  CompleteOperationRequest,
  ListOrdersQuery,
  StartOperationRequest,
} from './order.requests';
import { OrderRepository } from './order.repository';
import { toOrderView, OrderView } from './order.views';

/** Production orders for MES: the synchronous "does this order exist and in which state", and MES commands. */
@ApiTags('production orders')
@Controller('v1/plants/:plant/production-orders')
export class OrdersController {
  constructor(
    private readonly orders: OrderRepository,
    private readonly commands: OrderCommands,
  ) {}

  @Get()
  @RequiresScope('orders:read')
  @ApiOperation({ summary: 'Orders released to the plant, optionally by status' })
  @ApiOkResponse({ type: [OrderView] })
  async list(
    @Param('plant', ServedPlantPipe) plant: string,
    @Query() query: ListOrdersQuery,
  ): Promise<OrderView[]> {
    const orders = await this.orders.list(plant, query.status);
    return orders.map(toOrderView);
  }

  @Get(':order')
  @RequiresScope('orders:read')
  @ApiOperation({ summary: 'One order with its operations and confirmed quantities' })
  @ApiOkResponse({ type: OrderView })
  @ApiNotFoundResponse({ description: 'Unknown plant or order' })
  async get(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
  ): Promise<OrderView> {
    const record = await this.orders.get(plant, order);
    return toOrderView(record);
  }

  @Post(':order/acknowledgement')
  @RequiresScope('orders:write')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Accept the order for production, or reject it with a reason' })
  @ApiOkResponse({ type: OrderView })
  acknowledge(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
    @Body() body: AcknowledgeOrderRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<OrderView> {
    const ctx = { ...command, plant, manufacturingOrder: order };
    return sendIdempotent(res, this.commands.acknowledge(ctx, body));
  }

  @Post(':order/operations/:operation/start')
  @RequiresScope('orders:write')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'An operation started (on a work center, optionally on one machine)' })
  @ApiOkResponse({ type: OrderView })
  start(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
    @Param('operation', OperationParam) operation: string,
    @Body() body: StartOperationRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<OrderView> {
    const ctx = { ...command, plant, manufacturingOrder: order };
    return sendIdempotent(res, this.commands.startOperation(ctx, operation, body));
  }

  @Post(':order/operations/:operation/complete')
  @RequiresScope('orders:write')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'An operation finished' })
  @ApiOkResponse({ type: OrderView })
  complete(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('order', OrderParam) order: string,
    @Param('operation', OperationParam) operation: string,
    @Body() body: CompleteOperationRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<OrderView> {
    const ctx = { ...command, plant, manufacturingOrder: order };
    return sendIdempotent(res, this.commands.completeOperation(ctx, operation, body));
  }
}
