import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { badRequest, RequiresScope } from '@plantbridge/service-runtime';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { NODE_ID } from '../mapping/tag-mapping';
import { BrowseError, type BrowsePage } from '../opcua/endpoint-connection';
import { browseErrorResponse } from './browse-error-response';
import { GatewayPipeline } from './gateway-pipeline';

export class BrowseQuery {
  @ApiPropertyOptional({ description: 'The node whose children to list', default: 'i=85 (Objects)' })
  @IsOptional()
  @Matches(NODE_ID, { message: 'nodeId must be an OPC UA node id such as ns=1;s=Line1 or i=85' })
  nodeId?: string;

  @ApiPropertyOptional({ description: 'Children per page', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  maxReferences?: number;

  @ApiPropertyOptional({ description: 'From the previous page: fetches the next one' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'continuationPoint must be a token from a previous page' })
  continuationPoint?: string;
}

const OBJECTS_FOLDER = 'i=85';

/** Connection state per OPC UA endpoint, and browsing its address space to write the tag mapping. */
@Controller('v1/opcua/endpoints')
export class OpcuaEndpointsController {
  constructor(private readonly pipeline: GatewayPipeline) {}

  @Get()
  @RequiresScope('opcua:read')
  @ApiOperation({ summary: 'Each endpoint: connection state, last error, tags the server refused, samples' })
  list() {
    return this.pipeline.connections.map((c) => ({
      id: c.endpoint.id,
      url: c.endpoint.url,
      state: c.state,
      lastError: c.lastError,
      tags: c.endpoint.tags.length,
      faults: Object.fromEntries(c.faults),
      valueProblems: Object.fromEntries(c.valueProblems),
      timestamps: c.endpoint.timestamps,
      timestampProblems: Object.fromEntries(c.timestampProblems),
      samples: c.stats.samples,
      connects: c.stats.connects,
      subscribeMs: c.stats.subscribeMs,
    }));
  }

  @Get(':id/browse')
  @RequiresScope('opcua:read')
  @ApiOperation({
    summary: 'Children of a node, paged',
    description:
      'Lists the children of `nodeId` (default: the Objects folder) with node id, browse name and node class. ' +
      'When more children exist, `continuationPoint` fetches the next page: once, within a minute, while the ' +
      'endpoint stays connected (the server allows only a few; unused ones are released). ' +
      '404 unknown node, 400 expired continuation point, 503 with Retry-After when the endpoint is offline ' +
      'or the server busy, 504 when it does not answer, 502 with `opcuaStatus` for any other server error.',
  })
  async browse(
    @Param('id') id: string,
    @Query() query: BrowseQuery,
    @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown },
  ): Promise<BrowsePage & { nodeId?: string }> {
    const connection = this.pipeline.connections.find((c) => c.endpoint.id === id);
    if (!connection) throw new NotFoundException(`no OPC UA endpoint "${id}" in the tag mapping`);
    if (query.continuationPoint && query.nodeId) {
      throw badRequest([
        { field: 'continuationPoint', reason: 'give either nodeId or continuationPoint, not both' },
      ]);
    }
    try {
      if (query.continuationPoint)
        return await connection.browse({ continuationPoint: query.continuationPoint });
      const nodeId = query.nodeId ?? OBJECTS_FOLDER;
      return { nodeId, ...(await connection.browse({ nodeId, maxReferences: query.maxReferences ?? 100 })) };
    } catch (error) {
      if (!(error instanceof BrowseError)) throw error;
      const { exception, retryAfterS } = browseErrorResponse(error);
      if (retryAfterS !== undefined) reply.header('Retry-After', String(retryAfterS));
      throw exception;
    }
  }
}
