import { Controller, Get } from '@nestjs/common';
import { GatewayPipeline } from './gateway-pipeline';

/** Connection state per OPC UA endpoint, with the node ids the server refused. */
@Controller('v1/opcua/endpoints')
export class OpcuaEndpointsController {
  constructor(private readonly pipeline: GatewayPipeline) {}

  @Get()
  list() {
    return this.pipeline.connections.map((c) => ({
      id: c.endpoint.id,
      url: c.endpoint.url,
      state: c.state,
      lastError: c.lastError,
      tags: c.endpoint.tags.length,
      faults: Object.fromEntries(c.faults),
      samples: c.stats.samples,
      connects: c.stats.connects,
    }));
  }
}
