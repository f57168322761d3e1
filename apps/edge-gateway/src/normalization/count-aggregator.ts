import {
  type CanonicalEvent,
  createEvent,
  Equipment,
  type ProductionContext,
} from '@plantbridge/canonical-model';

/** Parts counted on one piece of equipment for one order operation since its last production-counted event. */
export interface OpenCountPeriod extends ProductionContext {
  equipmentId: string;
  unit: string;
  goodCount: number;
  scrapCount: number;
  periodStart: string;
  periodEnd: string;
}

export interface CountAggregationRule {
  /** A period with parts in it is closed at least this often. */
  intervalMs: number;
  /** … or as soon as it holds this many parts (good and scrap). */
  unitStep?: number;
}

/** What a cycle-completed event contributes to its order operation. */
export interface CountedCycle {
  equipmentId: string;
  context?: ProductionContext;
  goodCount: number;
  scrapCount: number;
  unit: string;
  sourceTimestamp: string;
}

/**
 * Adds cycle counts up per equipment and order operation into production-counted events, so ERP
 * gets one confirmation per period instead of one per part. A period closes when it reaches the
 * unit step, when the interval has passed, or when another operation starts on the equipment.
 * Open periods are persisted with the counter values that fed them (see `takeChanges`), so a
 * restart neither drops nor repeats a part.
 */
export class CountAggregator {
  private readonly open = new Map<string, OpenCountPeriod & { openedAtMs: number }>();
  /** Periods changed since the last `takeChanges`: the new state, or null when none is open. */
  private readonly changed = new Map<string, OpenCountPeriod | null>();

  constructor(
    private readonly rule: CountAggregationRule,
    private readonly plant: string,
    private readonly source: string,
    restored: readonly OpenCountPeriod[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const period of restored) this.open.set(period.equipmentId, { ...period, openedAtMs: now() });
  }

  /** Counts one cycle; returns the production-counted events this closes. Cycles without an operation are not counted. */
  add(cycle: CountedCycle): CanonicalEvent[] {
    const context = cycle.context;
    if (!context || cycle.goodCount + cycle.scrapCount === 0) return [];
    const closed: CanonicalEvent[] = [];
    let period = this.open.get(cycle.equipmentId);
    if (
      period &&
      (period.manufacturingOrder !== context.manufacturingOrder ||
        period.operation !== context.operation ||
        period.unit !== cycle.unit)
    ) {
      closed.push(...this.close(cycle.equipmentId));
      period = undefined;
    }
    if (!period) {
      period = {
        equipmentId: cycle.equipmentId,
        manufacturingOrder: context.manufacturingOrder,
        operation: context.operation,
        unit: cycle.unit,
        goodCount: 0,
        scrapCount: 0,
        periodStart: cycle.sourceTimestamp,
        periodEnd: cycle.sourceTimestamp,
        openedAtMs: this.now(),
      };
      this.open.set(cycle.equipmentId, period);
    }
    period.goodCount += cycle.goodCount;
    period.scrapCount += cycle.scrapCount;
    if (cycle.sourceTimestamp > period.periodEnd) period.periodEnd = cycle.sourceTimestamp;
    this.changed.set(cycle.equipmentId, withoutClock(period));
    const step = this.rule.unitStep;
    if (step !== undefined && period.goodCount + period.scrapCount >= step) {
      closed.push(...this.close(cycle.equipmentId));
    }
    return closed;
  }

  /** Closes the periods whose interval has passed. */
  due(): CanonicalEvent[] {
    const now = this.now();
    return [...this.open.values()]
      .filter((p) => now - p.openedAtMs >= this.rule.intervalMs)
      .flatMap((p) => this.close(p.equipmentId));
  }

  /** Closes the equipment's open period now (its operation ended or another one started). */
  close(equipmentId: string): CanonicalEvent[] {
    const period = this.open.get(equipmentId);
    if (!period) return [];
    this.open.delete(equipmentId);
    this.changed.set(equipmentId, null);
    return [
      createEvent(
        Equipment.ProductionCountedV1Event,
        { ...withoutClock(period), plant: this.plant },
        {
          plant: this.plant,
          source: this.source,
          subject: equipmentId,
        },
      ),
    ];
  }

  /** Open periods to persist (null: delete) with the events and counter values of the same batch. */
  takeChanges(): Map<string, OpenCountPeriod | null> {
    const changes = new Map(this.changed);
    this.changed.clear();
    return changes;
  }

  /** Puts back changes whose commit failed, unless a newer change came meanwhile. */
  restoreChanges(changes: ReadonlyMap<string, OpenCountPeriod | null>): void {
    for (const [equipmentId, period] of changes)
      if (!this.changed.has(equipmentId)) this.changed.set(equipmentId, period);
  }
}

function withoutClock(period: OpenCountPeriod & { openedAtMs: number }): OpenCountPeriod {
  const { openedAtMs: _, ...rest } = period;
  return rest;
}
