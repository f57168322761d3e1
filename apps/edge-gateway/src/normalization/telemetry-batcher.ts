import { type CanonicalEvent, createEvent, Telemetry } from '@plantbridge/canonical-model';
import type { TelemetryTag } from '../mapping/tag-mapping';
import type { TagSample } from '../opcua/endpoint-connection';

type TelemetrySample = Telemetry.TelemetrySampleV1;

/**
 * Collects the telemetry samples of one endpoint into samples-reported events of up to
 * MAX_SAMPLES_PER_REPORT samples. A tag with an interval is downsampled: a value is taken when
 * the interval since the tag's last taken value has passed; the ones between are replaced by the
 * latest, which is taken once its interval is over, so the last value of a burst is never lost.
 */
export class TelemetryBatcher {
  private batch: TelemetrySample[] = [];
  private readonly lastTakenMs = new Map<string, number>();
  private readonly held = new Map<string, { telemetry: TelemetrySample; intervalMs: number }>();

  constructor(
    private readonly plant: string,
    private readonly endpointId: string,
    private readonly source: string,
    private readonly now: () => number = Date.now,
  ) {}

  add(sample: TagSample & { tag: TelemetryTag }): void {
    const value = sample.value;
    if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return;
    const telemetry: TelemetrySample = {
      equipmentId: sample.tag.equipmentId,
      signal: sample.tag.name,
      value: typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
      sourceTimestamp: sample.sourceTimestamp.toISOString(),
      serverTimestamp: sample.serverTimestamp.toISOString(),
    };
    const interval = sample.tag.intervalMs;
    if (interval === 0) return void this.batch.push(telemetry);
    const nodeId = sample.tag.nodeId;
    const now = this.now();
    if (now - (this.lastTakenMs.get(nodeId) ?? -Infinity) >= interval) {
      this.lastTakenMs.set(nodeId, now);
      this.held.delete(nodeId);
      this.batch.push(telemetry);
    } else {
      this.held.set(nodeId, { telemetry, intervalMs: interval });
    }
  }

  /** The samples-reported events of what was collected, with the held values whose interval is over. */
  take(): CanonicalEvent[] {
    const now = this.now();
    for (const [nodeId, { telemetry, intervalMs }] of this.held) {
      if (now - (this.lastTakenMs.get(nodeId) ?? -Infinity) < intervalMs) continue;
      this.lastTakenMs.set(nodeId, now);
      this.held.delete(nodeId);
      this.batch.push(telemetry);
    }
    const samples = this.batch;
    this.batch = [];
    const events: CanonicalEvent[] = [];
    for (let start = 0; start < samples.length; start += Telemetry.MAX_SAMPLES_PER_REPORT) {
      events.push(
        createEvent(
          Telemetry.SamplesReportedV1Event,
          {
            plant: this.plant,
            endpointId: this.endpointId,
            samples: samples.slice(start, start + Telemetry.MAX_SAMPLES_PER_REPORT),
          },
          { plant: this.plant, source: this.source, subject: this.endpointId },
        ),
      );
    }
    return events;
  }
}
