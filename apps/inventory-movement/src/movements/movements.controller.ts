import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
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
import { MovementIdParam } from '../common/path-params';
import { AcceptMovement } from './accept-movement.usecase';
import { MaterialMovementRequest, MovementListQuery, MovementReversalRequest } from './movement.requests';
import { MovementRepository } from './movement.repository';
import { MovementView } from './movement.views';

/** Goods movements from MES and WMS: accepted at once (202), posted to ERP exactly once, later. */
@ApiTags('material-movements')
@Controller('v1/plants/:plant/material-movements')
export class MovementsController {
  constructor(
    private readonly accept: AcceptMovement,
    private readonly movements: MovementRepository,
  ) {}

  @Post()
  @RequiresScope('movements:write')
  @HttpCode(202)
  @Idempotent()
  @Admitted()
  @ApiOperation({
    summary:
      'Post a goods movement (261 issue to order, 101 receipt, 311 transfer, 551 scrap) to ERP asynchronously',
    description:
      'Answers 202 with the status resource (also in Location). 404: unknown order. 409: order not released or closed. ' +
      '422: not a component (261) or not the output (101) of the order, above the open quantity plus tolerance, ' +
      "another unit than the material's, batch missing for a batch-managed material, unknown storage location. " +
      '503: ERP cannot be asked for master data not kept here yet.',
  })
  @ApiAcceptedResponse({ type: MovementView })
  @ApiNotFoundResponse({ description: 'Unknown plant or order' })
  @ApiConflictResponse({ description: "The order's state refuses goods movements" })
  @ApiUnprocessableEntityResponse({ description: 'A rule of the order or the material master refuses it' })
  post(
    @Param('plant', ServedPlantPipe) plant: string,
    @Body() body: MaterialMovementRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<MovementView> {
    return sendIdempotent(res, this.accept.fromMes({ ...command, plant }, body), statusPath);
  }

  @Post(':id/reversal')
  @RequiresScope('movements:write')
  @HttpCode(202)
  @Idempotent()
  @Admitted()
  @ApiOperation({
    summary: 'Reverse a posted movement (SAP CancelItem): a movement of its own, posted asynchronously',
    description:
      '409: the movement is not posted yet, or was reversed already. 422: it is a reversal itself.',
  })
  @ApiAcceptedResponse({ type: MovementView })
  @ApiNotFoundResponse({ description: 'Unknown movement' })
  reverse(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('id', MovementIdParam) id: string,
    @Body() body: MovementReversalRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<MovementView> {
    return sendIdempotent(res, this.accept.reverse({ ...command, plant }, id, body), statusPath);
  }

  @Get()
  @RequiresScope('inventory:read')
  @ApiOperation({
    summary: 'Movements of the plant, newest first, by order, material, batch, status and time',
  })
  @ApiOkResponse({ type: [MovementView] })
  list(
    @Param('plant', ServedPlantPipe) plant: string,
    @Query() query: MovementListQuery,
  ): Promise<MovementView[]> {
    return this.movements.list(plant, query);
  }

  @Get(':id')
  @RequiresScope('inventory:read')
  @ApiOperation({
    summary: 'Status of one movement: accepted, posting, posted (with the material document), failed',
  })
  @ApiOkResponse({ type: MovementView })
  get(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('id', MovementIdParam) id: string,
  ): Promise<MovementView> {
    return this.movements.view(plant, id);
  }
}

export function statusPath(view: MovementView): string {
  return `/v1/plants/${view.plant}/material-movements/${view.movementId}`;
}
