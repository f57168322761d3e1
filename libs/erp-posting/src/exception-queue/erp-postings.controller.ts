import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ErpServiceConfig } from '@plantbridge/config';
import { ErpConnectionPort } from '@plantbridge/erp';
import {
  type CommandRequest,
  Idempotent,
  IdempotentCommand,
  type IdempotentHttpResponse,
  paramRule,
  RequiresScope,
  sendIdempotent,
  ServedPlantPipe,
} from '@plantbridge/service-runtime';
import { IsUUID } from 'class-validator';
import { PostingLedger } from '../ledger/posting-ledger';
import { ErpStatusSections } from './erp-status';
import { ExceptionQueue } from './exception-queue';
import { DiscardPostingRequest, ListPostingsQuery, RetryPostingRequest } from './exception-queue.requests';
import { PostingView } from './exception-queue.views';

const PostingKeyParam = paramRule('key', () => IsUUID());

class EndpointLoadView {
  @ApiProperty({ example: 'API_PROD_ORDER_CONFIRMATION_2_SRV' }) endpoint!: string;
  @ApiProperty() maxInFlight!: number;
  @ApiProperty() inFlight!: number;
  @ApiProperty({
    description: 'Calls waiting for an in-flight slot; for confirmations, the postings of the next batches',
  })
  waiting!: number;
}

class ErpStatusView {
  @ApiProperty({ enum: ['closed', 'open', 'half-open', 'isolated', 'unknown'] }) circuit!: string;
  @ApiProperty({ description: 'ERP_MAX_IN_FLIGHT: ERP requests at once per endpoint, unless overridden' })
  maxInFlight!: number;
  @ApiProperty({
    type: [EndpointLoadView],
    description: 'Each ERP endpoint (OData service): its in-flight limit, requests under way and waiting',
  })
  endpoints!: EndpointLoadView[];
  @ApiProperty({
    description:
      "ERP_BATCH_SIZE: most confirmations per $batch request; posting rate ≤ the confirmation endpoint's maxInFlight × this ÷ ERP latency",
  })
  batchSize!: number;
  @ApiProperty({ description: 'Postings per ledger state' }) postings!: Record<string, number>;
  @ApiProperty() erpBaseUrl!: string;
  // Sections of the service (ErpStatusSections) follow: production-order-sync's `orderPolling`.
  [section: string]: unknown;
}

/**
 * ERP postings of the plant, of every kind the service posts: the exception queue (list, inspect,
 * retry, discard; each action audited) and ERP status.
 */
@ApiTags('erp postings')
@Controller('v1/plants/:plant')
export class ErpPostingsController {
  constructor(
    private readonly queue: ExceptionQueue,
    private readonly ledger: PostingLedger,
    private readonly erp: ErpConnectionPort,
    private readonly sections: ErpStatusSections,
    @Inject(ErpServiceConfig) private readonly config: ErpServiceConfig,
  ) {}

  @Get('erp-postings')
  @RequiresScope('erp-postings:read')
  @ApiOperation({ summary: 'Postings in one ledger state; failed (the exception queue) by default' })
  @ApiOkResponse({ type: [PostingView] })
  list(
    @Param('plant', ServedPlantPipe) plant: string,
    @Query() query: ListPostingsQuery,
  ): Promise<PostingView[]> {
    return this.queue.list(plant, query.state);
  }

  @Get('erp-postings/:key')
  @RequiresScope('erp-postings:read')
  @ApiOperation({ summary: 'One posting with its audit trail' })
  @ApiOkResponse({ type: PostingView })
  get(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('key', PostingKeyParam) key: string,
  ): Promise<PostingView> {
    return this.queue.get(plant, key);
  }

  @Post('erp-postings/:key/retry')
  @RequiresScope('erp-postings:admin')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Send a failed posting back to ERP (looked up first, so never posted twice)' })
  @ApiOkResponse({ type: PostingView })
  retry(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('key', PostingKeyParam) postingKey: string,
    @Body() body: RetryPostingRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<PostingView> {
    return sendIdempotent(res, this.queue.retry({ ...command, plant, postingKey }, body));
  }

  @Post('erp-postings/:key/discard')
  @RequiresScope('erp-postings:admin')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Give up on a failed posting, with a reason' })
  @ApiOkResponse({ type: PostingView })
  discard(
    @Param('plant', ServedPlantPipe) plant: string,
    @Param('key', PostingKeyParam) postingKey: string,
    @Body() body: DiscardPostingRequest,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<PostingView> {
    return sendIdempotent(res, this.queue.discard({ ...command, plant, postingKey }, body));
  }

  @Get('erp/status')
  @RequiresScope('erp-postings:read')
  @ApiOperation({
    summary: "ERP circuit breaker, in-flight limits, ledger counts and the service's own sections",
  })
  @ApiOkResponse({ type: ErpStatusView })
  async status(@Param('plant', ServedPlantPipe) plant: string): Promise<ErpStatusView> {
    return {
      // The service's sections first: none may hide the pipeline's own figures.
      ...this.sections.read(),
      circuit: this.erp.circuit,
      maxInFlight: this.config.ERP_MAX_IN_FLIGHT,
      endpoints: this.erp.endpointLoad(),
      batchSize: this.config.ERP_BATCH_SIZE,
      postings: await this.ledger.countsByState(plant),
      erpBaseUrl: this.config.ERP_BASE_URL,
    };
  }
}
