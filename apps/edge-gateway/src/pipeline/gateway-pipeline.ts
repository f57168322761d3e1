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
import { type EndpointMapping, readTagMappingFile, type TelemetryTag } from '../mapping/tag-mapping';
import { CountAggregator, type OpenCountPeriod } from '../normalization/count-aggregator';
import { EquipmentNormalizer, type ValueProblem } from '../normalization/equipment-normalizer';
import { assignLegacyTagStates, parseTagState, type TagState } from '../normalization/tag-state';
import { TelemetryBatcher } from '../normalization/telemetry-batcher';
import { EndpointConnection, type TagSample } from '../opcua/endpoint-connection';
import { AlarmConditions, type ConditionChanges } from './alarm-conditions';
import { BufferLimits } from './buffer-limits';
import { CountPeriodRecord, ProductionContextRecord, TagStateRecord } from './gateway-state.entity';

const committed = new Counter({
  name: 'plantbridge_equipment_events_total',
  help: 'Events committed to the store-and-forward buffer for publishing, by type',
  labelNames: ['type'],
});

const valueProblems = new Counter({
  name: 'plantbridge_opcua_value_problems_total',
  help: 'Tag values the mapping has no meaning for (an unknown state code, a counter out of range), by endpoint and problem',
  labelNames: ['endpoint', 'problem'],
});

/** What one flush commits together: events, and the tag states and count periods behind them. */
interface Batch {
  events: CanonicalEvent[];
  /** Per endpoint id, per node id. */
  tagStates: Map<string, Map<string, TagState>>;
  periods: Map<string, OpenCountPeriod | null>;
  /** OPC UA condition states (alarm-conditions.ts). */
  conditions: ConditionChanges;
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
  /** One per endpoint: identical machines on two endpoints share node ids, never state. */
  private readonly normalizers = new Map<string, EquipmentNormalizer>();
  private aggregator?: CountAggregator;
  private conditions?: AlarmConditions;
  private readonly telemetry = new Map<string, TelemetryBatcher>();
  private readonly contexts = new Map<string, ProductionContext>();
  private pending: CanonicalEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  /** A commit is waiting behind the running one; it will take whatever has been collected by then. */
  private flushQueued = false;
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
    const tagStates = await this.loadTagStates(parsed.mapping.endpoints);
    this.aggregator = new CountAggregator(
      parsed.mapping.countAggregation,
      plant,
      source,
      await manager.find(CountPeriodRecord),
    );
    const contextOf = (equipmentId: string) => this.contexts.get(equipmentId);
    this.conditions = await AlarmConditions.load(manager, { plant, source, contextOf }, this.logger);
    for (const endpoint of parsed.mapping.endpoints) {
      this.telemetry.set(endpoint.id, new TelemetryBatcher(plant, endpoint.id, source));
      this.normalizers.set(
        endpoint.id,
        new EquipmentNormalizer(
          plant,
          source,
          (equipmentId) => this.contexts.get(equipmentId),
          tagStates.get(endpoint.id),
          (problem) => this.valueProblem(endpoint.id, problem),
        ),
      );
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
          conditions: this.conditions.subscriberFor(endpoint, (events) => this.pending.push(...events)),
        },
        (sample) => this.onSample(endpoint.id, sample),
      );
      this.connections.push(connection);
      connection.start();
    }
    const limits = new BufferLimits(
      this.dataSource,
      this.unitOfWork,
      { maxBytes: this.config.BUFFER_MAX_BYTES },
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
    const normalizer = this.normalizers.get(endpoint);
    const aggregator = this.aggregator;
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

  /** The remembered tag states per endpoint and node, rows from before endpoints were keyed moved. */
  private async loadTagStates(endpoints: EndpointMapping[]): Promise<Map<string, Map<string, TagState>>> {
    const rows = await this.dataSource.manager.find(TagStateRecord);
    const legacy = rows.filter((r) => r.endpointId === '');
    if (legacy.length) {
      const { adopted, ambiguous } = assignLegacyTagStates(legacy, rows, endpoints);
      await this.unitOfWork.transaction(async (m) => {
        await m.delete(TagStateRecord, { endpointId: '' });
        if (adopted.length) await m.save(TagStateRecord, adopted);
      });
      rows.push(...adopted);
      for (const { nodeId, endpointIds } of ambiguous)
        this.logger.warn(
          `counter state of ${nodeId} from before state was kept per endpoint is dropped: endpoints ${endpointIds.join(', ')} all map that node id, so it mixed their counts; each starts from its next value`,
        );
    }
    const byEndpoint = new Map<string, Map<string, TagState>>(endpoints.map((e) => [e.id, new Map()]));
    for (const row of rows) {
      const state = row.endpointId === '' ? undefined : parseTagState(row.state);
      if (state) byEndpoint.get(row.endpointId)?.set(row.nodeId, state);
    }
    return byEndpoint;
  }

  /** Counted, shown on the endpoint's status, logged the first time per tag and problem. */
  private valueProblem(endpointId: string, { tag, problem, message }: ValueProblem): void {
    valueProblems.inc({ endpoint: endpointId, problem });
    const connection = this.connections.find((c) => c.endpoint.id === endpointId);
    const first = connection?.noteValueProblem(tag.nodeId, message) ?? true;
    if (first) this.logger.warn(`endpoint ${endpointId}: node ${tag.nodeId}: ${message}`);
  }

  /**
   * Commits what was collected since the last commit, in one transaction, one batch at a time, in
   * sample order. A batch is taken only when the one before it has settled: had a second one been
   * taken while the first was still committing, a failed first batch would go again after the
   * second (events out of order) and put back tag states older than the second's.
   */
  private flush(): void {
    if (!this.aggregator || this.flushQueued) return;
    this.flushQueued = true;
    this.flushing = this.flushing.then(async () => {
      this.flushQueued = false;
      await this.commitCollected();
    });
  }

  private async commitCollected(): Promise<void> {
    const aggregator = this.aggregator;
    if (!aggregator) return;
    const events = this.pending;
    this.pending = [];
    events.push(...aggregator.due());
    for (const batcher of this.telemetry.values()) events.push(...batcher.take());
    const batch: Batch = {
      events,
      tagStates: new Map(
        [...this.normalizers].map(([endpoint, normalizer]) => [endpoint, normalizer.takeStateChanges()]),
      ),
      periods: aggregator.takeChanges(),
      conditions: this.conditions?.take() ?? new Map(),
    };
    const tagStateCount = [...batch.tagStates.values()].reduce((n, states) => n + states.size, 0);
    if (!events.length && !tagStateCount && !batch.periods.size && !batch.conditions.size) return;
    try {
      await this.unitOfWork.run((tx) => this.commit(tx, batch));
      for (const event of events) committed.inc({ type: event.type });
    } catch (error) {
      // Nothing of the batch was written: it goes again, before anything newer, with the next flush.
      this.logger.error(`could not commit ${events.length} event(s), retrying: ${(error as Error).message}`);
      this.pending = [...events, ...this.pending];
      for (const [endpoint, states] of batch.tagStates)
        this.normalizers.get(endpoint)?.restoreStateChanges(states);
      aggregator.restoreChanges(batch.periods);
      this.conditions?.restore(batch.conditions);
    }
  }

  private async commit(tx: Transaction, batch: Batch): Promise<void> {
    for (const event of batch.events) await tx.publish(event);
    const updatedAt = new Date().toISOString();
    for (const [endpointId, states] of batch.tagStates) {
      for (const [nodeId, state] of states)
        await tx.manager.save(TagStateRecord, {
          endpointId,
          nodeId,
          state: JSON.stringify(state),
          updatedAt,
        });
    }
    for (const [equipmentId, period] of batch.periods) {
      if (period) await tx.manager.save(CountPeriodRecord, period);
      else await tx.manager.delete(CountPeriodRecord, { equipmentId });
    }
    await AlarmConditions.save(tx.manager, batch.conditions);
  }
}
