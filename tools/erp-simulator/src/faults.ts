/** Faults a test or the demo injects into the simulated ERP. */
export interface FaultSettings {
  /** Added to every OData response. */
  latencyMs?: number;
  /** A random extra 0..n ms per response, so answers overtake each other. */
  latencyJitterMs?: number;
  /** Answer 503 to every OData request for this long from now. */
  outageMs?: number;
  /** Answer 429 with `Retry-After` to the next `count` OData requests (whose path contains `pathContains`). */
  throttle?: Throttle;
  /**
   * Every n-th write (a confirmation POST or `$batch`, a material document POST, `Cancel` or
   * `CancelItem`; counted together) is committed, then its connection dropped without an answer.
   */
  dropResponseEvery?: number;
  /**
   * Every n-th write (counted as for `dropResponseEvery`) loses its connection at once and is
   * committed `afterMs` later, as SAP finishes a request whose HTTP connection the gateway already
   * closed.
   */
  lateCommit?: LateCommit;
  /**
   * Another user holds the material block of `material`: the next `count` material document writes
   * that move it are refused with SAP's M3 897, naming `user` (default MM_PLANNER).
   */
  materialLock?: MaterialLock;
}

export interface MaterialLock {
  material: string;
  count: number;
  user?: string;
}

export interface LateCommit {
  every: number;
  afterMs: number;
}

export interface Throttle {
  count: number;
  retryAfterSeconds: number;
  pathContains?: string;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'outage' }
  | { kind: 'throttle'; retryAfterSeconds: number };

export class Faults {
  private latencyMs = 0;
  private jitterMs = 0;
  private outageUntil = 0;
  private throttle?: Throttle;
  private dropEvery = 0;
  private writes = 0;
  private late?: LateCommit;
  private lateWrites = 0;
  private lock?: MaterialLock;

  set(settings: FaultSettings): void {
    if (settings.latencyMs !== undefined) this.latencyMs = settings.latencyMs;
    if (settings.latencyJitterMs !== undefined) this.jitterMs = settings.latencyJitterMs;
    if (settings.outageMs !== undefined) this.outageUntil = Date.now() + settings.outageMs;
    if (settings.throttle !== undefined) this.throttle = { ...settings.throttle };
    if (settings.dropResponseEvery !== undefined) {
      this.dropEvery = settings.dropResponseEvery;
      this.writes = 0;
    }
    if (settings.lateCommit !== undefined) {
      this.late = { ...settings.lateCommit };
      this.lateWrites = 0;
    }
    if (settings.materialLock !== undefined) this.lock = { ...settings.materialLock };
  }

  clear(): void {
    this.latencyMs = 0;
    this.jitterMs = 0;
    this.outageUntil = 0;
    this.throttle = undefined;
    this.dropEvery = 0;
    this.late = undefined;
    this.lock = undefined;
  }

  /** This response's delay: the fixed latency plus its share of jitter. */
  get latency(): number {
    return this.latencyMs + Math.random() * this.jitterMs;
  }

  describe(): Record<string, unknown> {
    return {
      latencyMs: this.latencyMs,
      latencyJitterMs: this.jitterMs,
      outageRemainingMs: Math.max(0, this.outageUntil - Date.now()),
      throttle: this.throttle ?? null,
      dropResponseEvery: this.dropEvery,
      lateCommit: this.late ?? null,
      materialLock: this.lock ?? null,
    };
  }

  /**
   * Before a material document write that moves `materials`: who holds the lock on one of them, if
   * the lock fault is set for it (each write it refuses counts one down).
   */
  materialLockedBy(materials: readonly string[]): { material: string; user: string } | undefined {
    const lock = this.lock;
    if (!lock || lock.count <= 0 || !materials.includes(lock.material)) return undefined;
    lock.count -= 1;
    return { material: lock.material, user: lock.user ?? 'MM_PLANNER' };
  }

  /** Decided per OData request, before it is handled. */
  before(path: string): FaultDecision {
    if (Date.now() < this.outageUntil) return { kind: 'outage' };
    const throttled =
      this.throttle && (!this.throttle.pathContains || path.includes(this.throttle.pathContains));
    if (this.throttle && throttled && this.throttle.count > 0) {
      this.throttle.count -= 1;
      return { kind: 'throttle', retryAfterSeconds: this.throttle.retryAfterSeconds };
    }
    return { kind: 'none' };
  }

  /** Before a write: how much later to commit it, its connection dropped now; or not. */
  commitLater(): number | undefined {
    if (!this.late?.every) return undefined;
    this.lateWrites += 1;
    return this.lateWrites % this.late.every === 0 ? this.late.afterMs : undefined;
  }

  /** After a write was committed: drop the answer? */
  dropThisAnswer(): boolean {
    if (!this.dropEvery) return false;
    this.writes += 1;
    return this.writes % this.dropEvery === 0;
  }
}
