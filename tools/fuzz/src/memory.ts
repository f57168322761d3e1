import type { PlantCheck } from './plant-checks';
import { memoryMb } from './probes';

/**
 * After the run, resident memory (VmRSS) must come back within max(100 MB, 50 %) of its level after
 * the warm-up, within 30 s of quiet. V8 keeps part of a grown heap for a while and never returns
 * every page, so an exact return would be a false alarm; a leak of what 10,000 inputs retain (bodies,
 * events, records) grows well past the margin and does not shrink when the service is idle.
 *
 * RSS that stays above the margin while V8's heap in use is back near its level (within max(25 MB,
 * 25 %)) is pages the allocator kept, not objects the inputs left behind: production-order-sync's
 * 64 MB semi-spaces and a grown old space stay committed after a burst (measured: RSS 300 → 465 MB
 * with heap in use 123 → 112 MB). That passes, and the detail says so.
 */
export const MEMORY_MARGIN = { mb: 100, fraction: 0.5, graceMs: 30_000, heapMb: 25, heapFraction: 0.25 };

export interface MemoryReading {
  baselineMb: number;
  finalMb: number;
  peakMb: number;
  /** V8's heap in use (prom-client's nodejs_heap_size_used_bytes): whether growth is live objects. */
  baselineHeapMb?: number;
  finalHeapMb?: number;
  /** How long after the quiet spell memory took to be back in the margin. */
  waitedMs: number;
}

/** From `/metrics`, which takes `authorization` (a bearer token with management:read). */
export async function heapUsedMb(baseUrl: string, authorization: string): Promise<number | undefined> {
  // Bounded: production-order-sync's /metrics reads the ledger, and a service whose database pool is
  // exhausted never answers it.
  const metrics = await fetch(`${baseUrl}/metrics`, {
    headers: { authorization },
    signal: AbortSignal.timeout(5000),
  })
    .then((r) => r.text())
    .catch(() => '');
  const bytes = /^nodejs_heap_size_used_bytes (\d+(\.\d+)?)/m.exec(metrics)?.[1];
  return bytes === undefined ? undefined : Math.round(Number(bytes) / 2 ** 20);
}

export const allowedMb = (baselineMb: number) =>
  baselineMb + Math.max(MEMORY_MARGIN.mb, baselineMb * MEMORY_MARGIN.fraction);

/** Reads memory until it is back in the margin or the grace time is up. */
export async function memoryAfterRun(
  pid: number,
  baseUrl: string,
  baseline: { rss: number; heap?: number },
  authorization: string,
): Promise<MemoryReading> {
  const started = Date.now();
  let now = memoryMb(pid);
  while (now.rss > allowedMb(baseline.rss) && Date.now() - started < MEMORY_MARGIN.graceMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    now = memoryMb(pid);
  }
  return {
    baselineMb: baseline.rss,
    finalMb: now.rss,
    peakMb: now.peak,
    baselineHeapMb: baseline.heap,
    finalHeapMb: await heapUsedMb(baseUrl, authorization),
    waitedMs: Date.now() - started,
  };
}

const heapBack = (m: MemoryReading) =>
  m.baselineHeapMb !== undefined &&
  m.finalHeapMb !== undefined &&
  m.finalHeapMb <=
    m.baselineHeapMb + Math.max(MEMORY_MARGIN.heapMb, m.baselineHeapMb * MEMORY_MARGIN.heapFraction);

export function memoryCheck(service: string, m: MemoryReading): PlantCheck {
  const rssBack = m.finalMb <= allowedMb(m.baselineMb);
  const heap =
    m.baselineHeapMb === undefined ? '' : `; heap in use ${m.baselineHeapMb} → ${m.finalHeapMb} MB`;
  const kept = rssBack ? '' : heapBack(m) ? ' (heap in use is back: pages kept, not a leak)' : '';
  return {
    check: `${service}: memory returns to its level`,
    ok: rssBack || heapBack(m),
    detail: `RSS ${m.baselineMb} MB after warm-up, ${m.finalMb} MB after the run (allowed ${Math.round(allowedMb(m.baselineMb))}, waited ${Math.round(m.waitedMs / 1000)} s), peak ${m.peakMb} MB${heap}${kept}`,
  };
}
