import { DataType, type Namespace, type UAObject, type UAVariable, StatusCodes, Variant } from 'node-opcua';

/**
 * Bulk tags for benchmarks: `count` Double variables `ns=1;s=<line>.Load.T00001` … that change by
 * exception at a chosen total rate, round-robin, each new value stamped with the time it was set.
 * Updates run on a 10 ms timer, so the achieved rate is what this process can do (at most 100 ×
 * `count` per second); `stats` says it.
 */
export class TagLoad {
  private readonly variables: UAVariable[] = [];
  private timer?: NodeJS.Timeout;
  private next = 0;
  private changesPerSecond = 0;
  private changes = 0;
  private startedAt = 0;

  constructor(readonly count: number) {}

  static nodeId(line: string, index: number): string {
    return `ns=1;s=${line}.Load.T${String(index + 1).padStart(5, '0')}`;
  }

  /** Adds the variables to a fresh address space (after every server start). */
  build(namespace: Namespace, parent: UAObject, line: string): void {
    this.variables.length = 0;
    const folder = namespace.addObject({ componentOf: parent, browseName: 'Load', nodeId: `s=${line}.Load` });
    for (let i = 0; i < this.count; i++) {
      this.variables.push(
        namespace.addVariable({
          componentOf: folder,
          browseName: `T${String(i + 1).padStart(5, '0')}`,
          nodeId: TagLoad.nodeId(line, i).slice('ns=1;'.length),
          dataType: DataType.Double,
          minimumSamplingInterval: 0,
          value: new Variant({ dataType: DataType.Double, value: 0 }),
        }),
      );
    }
  }

  /** Changes values at this many per second in total from now on (0 stops). */
  drive(changesPerSecond: number): void {
    clearInterval(this.timer);
    this.changesPerSecond = changesPerSecond;
    this.changes = 0;
    this.startedAt = performance.now();
    if (changesPerSecond <= 0 || this.count === 0) return;
    this.timer = setInterval(() => this.step(), 10);
  }

  stop(): void {
    this.drive(0);
  }

  stats(): { tags: number; offeredPerSecond: number; changes: number; achievedPerSecond: number } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    return {
      tags: this.count,
      offeredPerSecond: this.changesPerSecond,
      changes: this.changes,
      achievedPerSecond: seconds > 0 ? Math.round(this.changes / seconds) : 0,
    };
  }

  /** Catches up with the rate since the drive started, so a late timer does not lower it. */
  private step(): void {
    const due =
      Math.floor(((performance.now() - this.startedAt) / 1000) * this.changesPerSecond) - this.changes;
    const now = new Date();
    // At most one change per tag per step: two changes of a tag with the same source timestamp are
    // one change to OPC UA (the server keeps the first). So the top rate is 100 × tags per second.
    const batch = Math.min(due, this.variables.length);
    for (let i = 0; i < batch; i++) {
      const variable = this.variables[this.next];
      this.next = (this.next + 1) % this.variables.length;
      variable.setValueFromSource(
        new Variant({ dataType: DataType.Double, value: this.changes + i + 1 }), // never the initial 0
        StatusCodes.Good,
        now,
      );
    }
    this.changes += Math.max(0, batch);
  }
}
