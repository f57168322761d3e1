import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Resident memory of a process in MB, from /proc (VmRSS now, VmHWM its peak). */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: Math.round(field('VmRSS')), peak: Math.round(field('VmHWM')) };
}

export interface LivenessReport {
  probes: number;
  failures: number;
  slowestMs: number;
  firstFailure?: string;
}

/**
 * The probe loop, in a worker thread of its own: the fuzzer's main thread is busy generating inputs
 * and serving the ERP simulator, and a probe timed there would measure the fuzzer's pauses.
 */
const PROBE_LOOP = `
const { parentPort, workerData: { url, intervalMs, timeoutMs } } = require('node:worker_threads');
const report = { probes: 0, failures: 0, slowestMs: 0 };
let stopping = false;
parentPort.once('message', () => (stopping = true));
(async () => {
  while (!stopping) {
    const started = performance.now();
    let failure;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.text();
      if (response.status !== 200) failure = 'status ' + response.status;
    } catch (error) {
      failure = error.message;
    }
    const ms = Math.round(performance.now() - started);
    report.probes++;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (failure) {
      report.failures++;
      report.firstFailure ??= new Date().toISOString() + ': ' + failure + ' after ' + ms + ' ms';
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  parentPort.postMessage(report);
})();
`;

/**
 * Asks `/health/live` every `intervalMs` while a run goes on: the invariant is that every probe is
 * answered 200 within `timeoutMs` (Kubernetes' default liveness timeout is 1 s; 2 s leaves room
 * for a 2-core machine also running NATS, PostgreSQL and the fuzzer).
 */
export class LivenessProbe {
  private worker?: Worker;

  constructor(
    private readonly baseUrl: string,
    private readonly intervalMs = 250,
    private readonly timeoutMs = 2000,
  ) {}

  start(): void {
    const workerData = {
      url: `${this.baseUrl}/health/live`,
      intervalMs: this.intervalMs,
      timeoutMs: this.timeoutMs,
    };
    this.worker = new Worker(PROBE_LOOP, { eval: true, workerData });
  }

  async stop(): Promise<LivenessReport> {
    const worker = this.worker!;
    const report = new Promise<LivenessReport>((resolve) => worker.once('message', resolve));
    worker.postMessage('stop');
    const result = await report;
    await worker.terminate();
    return result;
  }
}
