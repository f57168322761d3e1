import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalEvent, ProductionContext } from '@plantbridge/canonical-model';
import { UnitOfWork } from '@plantbridge/persistence';
import { join, resolve } from 'node:path';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EdgeGatewayConfig } from '../config';
import { readTagMappingFile } from '../mapping/tag-mapping';
import { EquipmentNormalizer } from '../normalization/equipment-normalizer';
import { EndpointConnection, type TagSample } from '../opcua/endpoint-connection';
import { CounterStateRecord, ProductionContextRecord } from './gateway-state.entity';

const metrics = {
  samples: new Counter({
    name: 'plantbridge_opcua_samples_total',
    help: 'Tag value changes received',
    labelNames: ['endpoint'],
  }),
  events: new Counter({
    name: 'plantbridge_equipment_events_total',
    help: 'Canonical equipment events committed for publishing',
  }),
};

/**
 * The gateway's flow: OPC UA samples are normalized into canonical equipment events, which are
 * committed in small batches to the outbox together with the counter values that produced them.
 * The outbox is the store-and-forward buffer: it survives restarts and broker outages and is
 * relayed in order, with the events' own ids. Because counts derive from committed counter values,
 * a crash between two batches loses no part and counts none twice.
 */
@Injectable()
export class GatewayPipeline implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GatewayPipeline.name);
  readonly connections: EndpointConnection[] = [];
  private normalizer?: EquipmentNormalizer;
  private readonly contexts = new Map<string, ProductionContext>();
  private pending: CanonicalEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(EdgeGatewayConfig) private readonly config: EdgeGatewayConfig,
    private readonly unitOfWork: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.TAG_MAPPING_FILE) {
      this.logger.warn('no TAG_MAPPING_FILE: no OPC UA endpoint is connected');
      return;
    }
    const parsed = readTagMappingFile(this.config.TAG_MAPPING_FILE);
    if (!parsed.ok) throw new Error(parsed.errors.join('; ')); // validated at boot already
    const counters = await this.dataSource.manager.find(CounterStateRecord);
    for (const c of await this.dataSource.manager.find(ProductionContextRecord)) {
      this.contexts.set(c.equipmentId, { manufacturingOrder: c.manufacturingOrder, operation: c.operation });
    }
    this.normalizer = new EquipmentNormalizer(
      this.config.PLANT_ID,
      `/plantbridge/${this.config.PLANT_ID}/edge-gateway`,
      (equipmentId) => this.contexts.get(equipmentId),
      new Map(counters.map((c) => [c.nodeId, c.lastValue])),
    );
    for (const endpoint of parsed.mapping.endpoints) {
      const connection = new EndpointConnection(
        endpoint,
        {
          pkiDir: join(resolve(this.config.DATA_DIR), 'edge-gateway-pki'),
          trustUnknownServers: this.config.OPCUA_TRUST_UNKNOWN_SERVERS === 'true',
          publishingIntervalMs: this.config.OPCUA_PUBLISHING_INTERVAL_MS,
          samplingIntervalMs: 0,
          stallTimeoutMs: this.config.OPCUA_STALL_TIMEOUT_MS,
          env: process.env,
          logger: this.logger,
        },
        (sample) => this.onSample(endpoint.id, sample),
      );
      this.connections.push(connection);
      connection.start();
    }
    this.timer = setInterval(() => this.flush(), this.config.EVENT_BATCH_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.connections.map((c) => c.stop()));
    this.flush();
    await this.flushing;
  }

  /** Remembers which order operation runs on a piece of equipment (from operation-started / -completed). */
  async setContext(equipmentId: string, context: ProductionContext | undefined): Promise<void> {
    if (context) this.contexts.set(equipmentId, context);
    else this.contexts.delete(equipmentId);
    await this.unitOfWork.transaction(async (m) => {
      if (!context) return void (await m.delete(ProductionContextRecord, { equipmentId }));
      await m.save(ProductionContextRecord, { equipmentId, ...context, since: new Date().toISOString() });
    });
  }

  private onSample(endpoint: string, sample: TagSample): void {
    metrics.samples.inc({ endpoint });
    if (!this.normalizer) return;
    this.pending.push(...this.normalizer.normalize(sample));
  }

  /** Commits the pending events with the counter values behind them; serialized, in sample order. */
  private flush(): void {
    const normalizer = this.normalizer;
    if (!normalizer) return;
    const events = this.pending;
    const counters = normalizer.takeCounterChanges();
    if (events.length === 0 && counters.size === 0) return;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      try {
        await this.unitOfWork.run(async (tx) => {
          for (const event of events) await tx.publish(event);
          const updatedAt = new Date().toISOString();
          for (const [nodeId, lastValue] of counters)
            await tx.manager.save(CounterStateRecord, { nodeId, lastValue, updatedAt });
        });
        metrics.events.inc(events.length);
      } catch (error) {
        // Not committed: the counters still hold their old values, so the next batch recounts these parts.
        this.logger.error(
          `could not commit ${events.length} equipment event(s): ${(error as Error).message}`,
        );
      }
    });
  }
}
