import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type CanonicalEvent, Equipment, type ProductionContext } from '@plantbridge/canonical-model';
import { type Transaction, UnitOfWork } from '@plantbridge/persistence';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EdgeGatewayConfig, pkiDirOf } from '../config';
import { readTagMappingFile, type TelemetryTag } from '../mapping/tag-mapping';
import { CountAggregator, type OpenCountPeriod } from '../normalization/count-aggregator';
import { EquipmentNormalizer } from '../normalization/equipment-normalizer';
import { TelemetryBatcher } from '../normalization/telemetry-batcher';
import { EndpointConnection, type TagSample } from '../opcua/endpoint-connection';
import { BufferLimits } from './buffer-limits';
import { CounterStateRecord, CountPeriodRecord, ProductionContextRecord } from './gateway-state.entity';

const committed = new Counter({
  name: 'plantbridge_equipment_events_total',
  help: 'Events committed to the store-and-forward buffer for publishing, by type',
  labelNames: ['type'],
});

/** What one flush commits together: events, and the counter values and count periods behind them. */
interface Batch {
  events: CanonicalEvent[];
  counters: Map<string, number>;
  periods: Map<string, OpenCountPeriod | null>;
}

/**
 * The gateway's flow: OPC UA samples are normalized into canonical equipment events, counts are
 * added up per order operation, telemetry is batched; all of it is committed in small batches to
 * the outbox together with the counter values and open count periods that produced it. The outbox
 * is the store-and-forward buffer: it survives restarts and broker outages and is relayed in
 * order, with the events' own ids. Because counts derive from committed state, a crash between two
 * batches loses no part and counts none twice.
 */
@Injectable()
export class GatewayPipeline implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GatewayPipeline.name);
  readonly connections: EndpointConnection[] = [];
  private normalizer?: EquipmentNormalizer;
  private aggregator?: CountAggregator;
  private readonly telemetry = new Map<string, TelemetryBatcher>();
  private readonly contexts = new Map<string, ProductionContext>();
  private pending: CanonicalEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];

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
    const plant = this.config.PLANT_ID;
    const source = `/plantbridge/${plant}/edge-gateway`;
    const manager = this.dataSource.manager;
    for (const c of await manager.find(ProductionContextRecord)) {
      this.contexts.set(c.equipmentId, { manufacturingOrder: c.manufacturingOrder, operation: c.operation });
    }
    const counters = await manager.find(CounterStateRecord);
    this.normalizer = new EquipmentNormalizer(
      plant,
      source,
      (equipmentId) => this.contexts.get(equipmentId),
      new Map(counters.map((c) => [c.nodeId, c.lastValue])),
    );
    this.aggregator = new CountAggregator(
      parsed.mapping.countAggregation,
      plant,
      source,
      await manager.find(CountPeriodRecord),
    );
    for (const endpoint of parsed.mapping.endpoints) {
      this.telemetry.set(endpoint.id, new TelemetryBatcher(plant, endpoint.id, source));
      const connection = new EndpointConnection(
        endpoint,
        {
          pkiDir: pkiDirOf(this.config),
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
    const limits = new BufferLimits(
      this.dataSource,
      {
        maxTelemetryReports: this.config.BUFFER_MAX_TELEMETRY_REPORTS,
        maxEvents: this.config.BUFFER_MAX_EVENTS,
      },
      this.logger,
    );
    this.timers = [
      setInterval(() => this.flush(), this.config.EVENT_BATCH_MS),
      setInterval(
        () => void limits.enforce().catch((e: Error) => this.logger.error(`buffer limits: ${e.message}`)),
        this.config.BUFFER_CHECK_MS,
      ),
    ];
  }

  /** Before the database and the relay stop: the last samples are committed, not lost. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.connections.map((c) => c.stop()));
    this.flush();
    await this.flushing;
  }

  /**
   * Remembers which order operation runs on a piece of equipment (from operation-started /
   * -completed); the counts of the operation that ran until now are sent with the next batch.
   */
  async setContext(equipmentId: string, context: ProductionContext | undefined): Promise<void> {
    if (this.aggregator) this.pending.push(...this.aggregator.close(equipmentId));
    if (context) this.contexts.set(equipmentId, context);
    else this.contexts.delete(equipmentId);
    await this.unitOfWork.transaction(async (m) => {
      if (!context) return void (await m.delete(ProductionContextRecord, { equipmentId }));
      await m.save(ProductionContextRecord, { equipmentId, ...context, since: new Date().toISOString() });
    });
  }

  private onSample(endpoint: string, sample: TagSample): void {
    const { normalizer, aggregator } = this;
    if (!normalizer || !aggregator) return;
    if (sample.tag.signal === 'telemetry') {
      return this.telemetry.get(endpoint)?.add(sample as TagSample & { tag: TelemetryTag });
    }
    for (const event of normalizer.normalize(sample)) {
      this.pending.push(event);
      if (event.type === Equipment.CycleCompletedV1Event.type) {
        const cycle = (event as CanonicalEvent<typeof Equipment.CycleCompletedV1Event.type>).data;
        this.pending.push(...aggregator.add(cycle));
      }
    }
  }

  /** Commits what was collected since the last flush, in one transaction; serialized, in sample order. */
  private flush(): void {
    const { normalizer, aggregator } = this;
    if (!normalizer || !aggregator) return;
    const events = this.pending;
    this.pending = [];
    events.push(...aggregator.due());
    for (const batcher of this.telemetry.values()) events.push(...batcher.take());
    const batch: Batch = {
      events,
      counters: normalizer.takeCounterChanges(),
      periods: aggregator.takeChanges(),
    };
    if (!events.length && !batch.counters.size && !batch.periods.size) return;
    this.flushing = this.flushing.then(async () => {
      try {
        await this.unitOfWork.run((tx) => this.commit(tx, batch));
        for (const event of events) committed.inc({ type: event.type });
      } catch (error) {
        // Nothing of the batch was written: it goes again, before anything newer, with the next flush.
        this.logger.error(
          `could not commit ${events.length} event(s), retrying: ${(error as Error).message}`,
        );
        this.pending = [...events, ...this.pending];
        normalizer.restoreCounterChanges(batch.counters);
        aggregator.restoreChanges(batch.periods);
      }
    });
  }

  private async commit(tx: Transaction, batch: Batch): Promise<void> {
    for (const event of batch.events) await tx.publish(event);
    const updatedAt = new Date().toISOString();
    for (const [nodeId, lastValue] of batch.counters) {
      await tx.manager.save(CounterStateRecord, { nodeId, lastValue, updatedAt });
    }
    for (const [equipmentId, period] of batch.periods) {
      if (period) await tx.manager.save(CountPeriodRecord, period);
      else await tx.manager.delete(CountPeriodRecord, { equipmentId });
    }
  }
}
