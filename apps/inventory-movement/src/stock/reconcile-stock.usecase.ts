import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEvent, Inventory } from '@plantbridge/canonical-model';
import { type ErpStockPosition, StockPort } from '@plantbridge/erp';
import { ErpPostingRecord, ErpStatusSections } from '@plantbridge/erp-posting';
import {
  IdempotentRequests,
  type IdempotentResponse,
  type Transaction,
  UnitOfWork,
} from '@plantbridge/persistence';
import { type CommandRequest, EventOrigins } from '@plantbridge/service-runtime';
import { Counter, Gauge } from 'prom-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { InventoryMovementConfig } from '../config';
import { GoodsMovementKind } from '../erp/goods-movement.kind';
import {
  type StockDiscrepancy,
  StockPositionRecord,
  StockReconciliationRecord,
} from './stock-position.entity';
import { StockProjection } from './stock-projection';

const metrics = {
  runs: new Counter({
    name: 'plantbridge_stock_reconciliations_total',
    help: 'Comparisons of the stock projection with ERP, by outcome (matched, discrepancies, error)',
    labelNames: ['outcome'],
  }),
  discrepancies: new Gauge({
    name: 'plantbridge_stock_discrepancies',
    help: "Stock positions whose ERP quantity differed from the projection's at the last reconciliation",
  }),
};

/** Quantities are SAP's 3 decimals; anything smaller is the projection's floating point. */
const EPSILON = 0.0005;

const OPEN_STATES = ['pending', 'in-flight', 'in-doubt'];

/** What a reconciliation read from ERP, before it compares. */
export interface ErpSnapshot {
  startedAt: string;
  erp: ErpStockPosition[];
  /** Materials with postings open before or after ERP was read: left out. */
  unsettled: Set<string>;
}

const positionKey = (p: { material: string; storageLocation: string; batch: string; stockType: string }) =>
  `${p.material}\u0000${p.storageLocation}\u0000${p.batch}\u0000${p.stockType}`;

/**
 * Compares the stock projection with ERP's stock, on a schedule (STOCK_RECONCILE_EVERY_MS) and on
 * demand. The first time a position is compared, ERP's quantity becomes its opening balance; from
 * then on a difference is a discrepancy: a metric, a `stock-discrepancy-found` event and the REST
 * report. It never corrects ERP. A material with postings still open is left out of a run (ERP may
 * hold them already while the ledger does not know it yet), as is a position the projection changed
 * while ERP's stock was being read.
 */
@Injectable()
export class ReconcileStock implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcileStock.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private lastError?: string;

  constructor(
    private readonly stock: StockPort,
    private readonly unitOfWork: UnitOfWork,
    private readonly projection: StockProjection,
    private readonly idempotent: IdempotentRequests,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly origins: EventOrigins,
    @Inject(InventoryMovementConfig) private readonly config: InventoryMovementConfig,
    status: ErpStatusSections,
  ) {
    status.add('stockReconciliation', () => ({
      everyMs: this.config.STOCK_RECONCILE_EVERY_MS,
      lastError: this.lastError,
    }));
  }

  onApplicationBootstrap(): void {
    const every = this.config.STOCK_RECONCILE_EVERY_MS;
    if (!every) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.run('scheduled')
        .catch((error: unknown) => {
          const message = (error as Error).message;
          if (this.lastError !== message) this.logger.warn(`stock reconciliation failed: ${message}`);
          this.lastError = message;
        })
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One comparison of the served plant's stock; throws when ERP cannot be read. */
  async run(requestedBy: string): Promise<StockReconciliationRecord> {
    const snapshot = await this.readErp();
    const run = await this.unitOfWork.run((tx) => this.record(tx, snapshot, requestedBy));
    this.reported(run);
    return run;
  }

  /**
   * A run an operator asked for (`POST …/stock/reconciliations`): a replay of its Idempotency-Key
   * answers the first run and makes no second one (ERP is read again all the same, before the
   * replay is known: a read changes nothing).
   */
  async onDemand(command: CommandRequest): Promise<IdempotentResponse<StockReconciliationRecord>> {
    const snapshot = await this.readErp();
    const by = `on demand: ${command.caller?.subject ?? 'anonymous'}`.slice(0, 64);
    const answer = await this.idempotent.execute(
      command.replayKey,
      { method: 'POST', path: command.path, body: {} },
      async (tx) => ({ statusCode: 200, body: await this.record(tx, snapshot, by) }),
    );
    if (!answer.replayed) this.reported(answer.body);
    return answer;
  }

  /** ERP's stock of every material the projection holds, and which of them were unsettled meanwhile. */
  async readErp(): Promise<ErpSnapshot> {
    const plant = this.config.PLANT_ID;
    const startedAt = new Date().toISOString();
    try {
      const projected = await this.dataSource.manager.find(StockPositionRecord, { where: { plant } });
      const materials = [...new Set(projected.map((p) => p.material))];
      const before = await this.unsettled(plant, materials);
      const erp = materials.length ? await this.stock.listStock(plant, materials) : [];
      const unsettled = new Set([...before, ...(await this.unsettled(plant, materials))]);
      return { startedAt, erp, unsettled };
    } catch (error) {
      metrics.runs.inc({ outcome: 'error' });
      throw error;
    }
  }

  /**
   * Compares, opens what is compared the first time, stores the run and publishes its
   * discrepancies, in the caller's transaction.
   */
  async record(
    tx: Transaction,
    snapshot: ErpSnapshot,
    requestedBy: string,
  ): Promise<StockReconciliationRecord> {
    const plant = this.config.PLANT_ID;
    const current = await tx.manager.find(StockPositionRecord, { where: { plant } });
    const result = compare(current, snapshot.erp, snapshot.unsettled, snapshot.startedAt);
    for (const position of result.opened)
      await this.projection.open(tx.manager, position, snapshot.startedAt);
    const run: StockReconciliationRecord = {
      id: uuidv7(),
      plant,
      startedAt: snapshot.startedAt,
      finishedAt: new Date().toISOString(),
      requestedBy,
      positionsCompared: result.compared,
      positionsOpened: result.opened.length,
      materialsSkipped: [...snapshot.unsettled].sort(),
      discrepancies: result.discrepancies,
    };
    const [previous] = await tx.manager.find(StockReconciliationRecord, {
      where: { plant },
      order: { startedAt: 'DESC', id: 'DESC' },
      take: 1,
    });
    await tx.manager.insert(StockReconciliationRecord, run);
    // A difference that stands as it was is in the report; the event says only what is new.
    const known = new Set((previous?.discrepancies ?? []).map((d) => JSON.stringify(d)));
    for (const d of result.discrepancies.filter((d) => !known.has(JSON.stringify(d))))
      await tx.publish(
        createEvent(
          Inventory.StockDiscrepancyFoundV1Event,
          { ...d, reconciliationId: run.id, plant, batch: d.batch || undefined, foundAt: run.finishedAt },
          this.origins.forPlant(plant, d.material),
        ),
      );
    return run;
  }

  private reported(run: StockReconciliationRecord): void {
    metrics.runs.inc({ outcome: run.discrepancies.length ? 'discrepancies' : 'matched' });
    metrics.discrepancies.set(run.discrepancies.length);
    this.lastError = undefined;
    if (run.discrepancies.length)
      this.logger.warn(
        `stock reconciliation ${run.id}: ${run.discrepancies.length} position(s) differ from ERP`,
      );
  }

  /** The latest runs of the plant, newest first. */
  latest(limit = 10): Promise<StockReconciliationRecord[]> {
    return this.dataSource.manager.find(StockReconciliationRecord, {
      where: { plant: this.config.PLANT_ID },
      order: { startedAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  /** Materials with goods movement postings not settled yet. */
  private async unsettled(plant: string, materials: string[]): Promise<Set<string>> {
    const byReference = new Map(materials.map((m) => [GoodsMovementKind.orderingReference(plant, m), m]));
    const open = await this.dataSource.manager.find(ErpPostingRecord, {
      select: { reference: true },
      where: { plant, kind: 'goods-movement', state: In(OPEN_STATES) },
    });
    return new Set(open.flatMap((p) => byReference.get(p.reference) ?? []));
  }
}

/**
 * The projection against ERP's positions: what to open from ERP (first comparison of a position,
 * or a position ERP has and the projection not), and what differs.
 */
export function compare(
  projected: StockPositionRecord[],
  erp: ErpStockPosition[],
  unsettled: Set<string>,
  startedAt: string,
): { opened: StockPositionRecord[]; discrepancies: StockDiscrepancy[]; compared: number } {
  const now = new Date().toISOString();
  const erpByKey = new Map(erp.map((p) => [positionKey(p), p]));
  const seen = new Set<string>();
  const opened: StockPositionRecord[] = [];
  const discrepancies: StockDiscrepancy[] = [];
  let compared = 0;
  for (const position of projected) {
    const key = positionKey(position);
    seen.add(key);
    // Changed while ERP was being read: ERP's answer may not hold that movement yet.
    if (unsettled.has(position.material) || position.updatedAt >= startedAt) continue;
    const erpQuantity = erpByKey.get(key)?.quantity ?? 0;
    if (!position.openedAt) {
      opened.push({ ...position, quantity: erpQuantity, openedAt: now, updatedAt: now });
      continue;
    }
    compared += 1;
    if (Math.abs(erpQuantity - position.quantity) > EPSILON)
      discrepancies.push({
        material: position.material,
        storageLocation: position.storageLocation,
        batch: position.batch,
        stockType: position.stockType,
        projectedQuantity: round(position.quantity),
        erpQuantity: round(erpQuantity),
        difference: round(erpQuantity - position.quantity),
        unit: position.unit,
      });
  }
  for (const [key, p] of erpByKey) {
    if (seen.has(key) || unsettled.has(p.material)) continue;
    opened.push({ ...p, openedAt: now, updatedAt: now });
  }
  return { opened, discrepancies, compared };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
