import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OutboxRelay } from '@plantbridge/persistence';
import { ReadinessRegistry } from '@plantbridge/service-runtime';
import { Gauge, register } from 'prom-client';
import { GatewayPipeline } from './gateway-pipeline';

const STATES = ['connecting', 'connected', 'reconnecting', 'stopped'] as const;

/**
 * What an operator watches on a gateway: each endpoint's connection on `/health/ready` (ready when
 * every endpoint is connected) and on `/metrics`, with the store-and-forward buffer depth (events
 * not yet on JetStream) and the tags the server refused.
 */
@Injectable()
export class GatewayObservability implements OnModuleInit {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly relay: OutboxRelay,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.add('opcua', async () => {
      const endpoints = Object.fromEntries(
        this.pipeline.connections.map((c) => [
          c.endpoint.id,
          { state: c.state, lastError: c.lastError, refusedTags: c.faults.size },
        ]),
      );
      return { up: this.pipeline.connections.every((c) => c.state === 'connected'), details: { endpoints } };
    });
    const pipeline = this.pipeline;
    const relay = this.relay;
    for (const name of [
      'plantbridge_opcua_endpoint_state',
      'plantbridge_opcua_refused_tags',
      'plantbridge_buffer_depth',
    ]) {
      register.removeSingleMetric(name);
    }
    new Gauge({
      name: 'plantbridge_opcua_endpoint_state',
      help: 'OPC UA endpoint connection state (1 for the current state)',
      labelNames: ['endpoint', 'state'],
      collect() {
        for (const c of pipeline.connections)
          for (const s of STATES) this.set({ endpoint: c.endpoint.id, state: s }, c.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'plantbridge_opcua_refused_tags',
      help: 'Mapped node ids the OPC UA server refused to monitor',
      labelNames: ['endpoint'],
      collect() {
        for (const c of pipeline.connections) this.set({ endpoint: c.endpoint.id }, c.faults.size);
      },
    });
    new Gauge({
      name: 'plantbridge_buffer_depth',
      help: 'Events stored locally and not yet published to JetStream (store-and-forward)',
      async collect() {
        this.set(await relay.backlog());
      },
    });
  }
}
