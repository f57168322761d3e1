import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OutboxRelay } from '@plantbridge/persistence';
import { ReadinessRegistry } from '@plantbridge/service-runtime';
import { Counter, Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EdgeGatewayConfig } from '../config';
import { registerBufferGauges } from './buffer-gauges';
import { bufferReport } from './buffer-size';
import { GatewayPipeline } from './gateway-pipeline';

const STATES = ['connecting', 'connected', 'reconnecting', 'stopped'] as const;

/** The sum of a counter over its labels (events committed, events published). */
async function counterTotal(name: string): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * What an operator watches on a gateway, on `/health/ready` (ready when every endpoint is
 * connected) and on `/metrics`: each endpoint's connection and the tags its server refused, tag
 * changes in, events committed to the store-and-forward buffer, events published out of it to
 * JetStream (`plantbridge_outbox_relayed_total`), and the buffer: depth (not yet on JetStream),
 * bytes against BUFFER_MAX_BYTES and the age of its oldest event (buffer-gauges.ts).
 */
@Injectable()
export class GatewayObservability implements OnModuleInit {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly relay: OutboxRelay,
    private readonly readiness: ReadinessRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EdgeGatewayConfig) private readonly config: EdgeGatewayConfig,
  ) {}

  onModuleInit(): void {
    this.readiness.add('opcua', async () => {
      const endpoints = Object.fromEntries(
        this.pipeline.connections.map((c) => [
          c.endpoint.id,
          {
            state: c.state,
            lastError: c.lastError,
            refusedTags: c.faults.size,
            tagsWithValueProblems: c.valueProblems.size,
            samples: c.stats.samples,
          },
        ]),
      );
      const buffer = {
        depth: await this.relay.backlog(),
        // bytes against maxBytes (BUFFER_MAX_BYTES), oldestAgeSeconds of the oldest unpublished event
        ...(await bufferReport(this.dataSource, this.config.BUFFER_MAX_BYTES)),
        eventsCommitted: await counterTotal('plantbridge_equipment_events_total'),
        eventsPublished: await counterTotal('plantbridge_outbox_relayed_total'),
      };
      return {
        up: this.pipeline.connections.every((c) => c.state === 'connected'),
        details: { endpoints, buffer },
      };
    });
    const pipeline = this.pipeline;
    const relay = this.relay;
    for (const name of [
      'plantbridge_opcua_endpoint_state',
      'plantbridge_opcua_refused_tags',
      'plantbridge_opcua_timestamp_problems_total',
      'plantbridge_opcua_samples_total',
      'plantbridge_buffer_depth',
    ]) {
      register.removeSingleMetric(name);
    }
    new Counter({
      name: 'plantbridge_opcua_samples_total',
      help: 'Tag value changes received from OPC UA (events in)',
      labelNames: ['endpoint'],
      collect() {
        this.reset();
        for (const c of pipeline.connections) this.inc({ endpoint: c.endpoint.id }, c.stats.samples);
      },
    });
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
      help: 'Mapped node ids not in use: refused by the OPC UA server, or of a type the tag cannot use',
      labelNames: ['endpoint'],
      collect() {
        for (const c of pipeline.connections) this.set({ endpoint: c.endpoint.id }, c.faults.size);
      },
    });
    new Counter({
      name: 'plantbridge_opcua_timestamp_problems_total',
      help: 'Samples whose source timestamp was missing or implausible (the server timestamp was used)',
      labelNames: ['endpoint', 'problem'],
      collect() {
        this.reset();
        for (const c of pipeline.connections)
          for (const [problem, n] of c.timestampProblems) this.inc({ endpoint: c.endpoint.id, problem }, n);
      },
    });
    new Gauge({
      name: 'plantbridge_buffer_depth',
      help: 'Events stored locally and not yet published to JetStream (store-and-forward)',
      async collect() {
        this.set(await relay.backlog());
      },
    });
    registerBufferGauges(this.dataSource, this.config.BUFFER_MAX_BYTES);
  }
}
