import type { CallResult, HttpCall, HttpLoad } from './http-load';
import { CpuMeter, peakRssMb } from './process-stats';
import { machine, progress, table } from './report';
import { percentile, round } from './stats';

/** One offered rate of a stepped load: what the MES got, and what reached ERP. */
export interface Step {
  offeredPerSecond: number;
  sent: number;
  accepted: number;
  failed: number;
  /** Answered 503 with Retry-After: the service said it was overloaded (admission control). */
  refused: number;
  acceptedPerSecond: number;
  postP50Ms: number;
  postP99Ms: number;
  postedInErp: number;
  /** Postings ERP committed while the step ran, per second. */
  postedPerSecond: number;
  /** Postings of this step's requests that ERP holds more than once (exactly once: 0). */
  duplicatesInErp: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  serviceCpuCores: number;
  simulatorCpuCores: number;
  /** The whole machine: service, NATS, ERP simulator and this load generator together. */
  machineCpuCores: number;
  servicePeakRssMb: number;
}

/** A posting as ERP recorded it: the key the service sent it with, and when ERP committed it. */
export interface ErpPosting {
  key: string;
  committedAt: number;
}

/** The offered rates of a stepped load. */
export interface StepPlan {
  /** offered requests/s, one step each, in this order */
  rates: number[];
  stepMs: number;
  /** Past the rate that saturated, go on at 2× and 3× it (instead of stopping there). */
  overload: boolean;
}

export interface SteppedLoadOptions {
  /** What is sent, for progress lines: `confirmations`, `movements`. */
  noun: string;
  plan: StepPlan;
  /** The MES: keep-alive HTTP to the service, with its token. */
  mes: HttpLoad;
  /** The i-th POST; it goes with an Idempotency-Key of its own. */
  post: (i: number) => { path: string; body: string };
  /** The posting key of an accepted request, from its 202 answer. */
  keyOf: (acceptedBody: string) => string;
  /** ERP's postings from position `from` on, in the order ERP committed them (the simulator's control API). */
  readPostings: (from: number) => Promise<ErpPosting[]>;
  servicePid: number;
  erpPid: number;
  /** After the warm-up's postings are in ERP, before the first step (e.g. to make ERP slow). */
  afterWarmUp?: () => Promise<void>;
  /** Extra time to wait for a step's postings, for that many accepted (a slow ERP's backlog). */
  drainMs?: (accepted: number) => number;
}

/**
 * Offers `rates` one after another, each for `stepMs` in an open loop (after a 3 s warm-up at
 * 200/s), and measures per step what the MES got (accepted/s, POST latency, 503s with Retry-After),
 * what reached ERP (posted/s while the step ran, POST-to-ERP-committed latency, duplicates), and the
 * CPU and peak memory of the service. A step saturates when it accepts less than 0.9 of what was
 * offered or its POST p99 exceeds 1 s; the load then ends, or with `overload` goes on at 2× and 3×
 * that rate. Steps run one at a time (`next`), so that two loads can take turns on one machine.
 */
export class SteppedLoad {
  readonly steps: Step[] = [];
  saturatedAt?: number;
  private readonly plan: number[];
  private readonly seen = new Set<string>();
  private position = 0;
  private readonly request: (i: number) => HttpCall;

  private constructor(private readonly o: SteppedLoadOptions) {
    this.plan = [...o.plan.rates];
    const run = Math.random().toString(36).slice(2);
    this.request = (i) => ({
      method: 'POST',
      headers: { 'idempotency-key': `bench-${run}-${i}-${Math.random().toString(36).slice(2)}` },
      ...o.post(i),
    });
  }

  /** After the warm-up, whose postings are in ERP before it resolves. */
  static async start(o: SteppedLoadOptions): Promise<SteppedLoad> {
    const load = new SteppedLoad(o);
    progress(`warm-up: 3 s at 200 ${o.noun}/s`);
    const warmUp = (await o.mes.openLoop(200, 3000, load.request)).filter((r) => r.status === 202).length;
    // Its postings must be in ERP before measuring, or they would be taken for the first step's.
    load.position = (await waitForPostings(o.readPostings, 0, warmUp, 120_000)).total;
    await o.afterWarmUp?.();
    return load;
  }

  get done(): boolean {
    return this.steps.length >= this.plan.length;
  }

  /** Every step, one after another. */
  async run(): Promise<this> {
    while (!this.done) await this.next();
    return this;
  }

  /** The next step of the plan. */
  async next(): Promise<Step> {
    const { o } = this;
    const rate = this.plan[this.steps.length];
    progress(`offering ${rate} ${o.noun}/s for ${o.plan.stepMs / 1000} s`);
    const serviceCpu = new CpuMeter(o.servicePid);
    const erpCpu = new CpuMeter(o.erpPid);
    const machineCpu = new CpuMeter();
    for (const meter of [serviceCpu, erpCpu, machineCpu]) meter.start();
    const started = performance.now();
    const startedAt = Date.now();
    const results = await o.mes.openLoop(rate, o.plan.stepMs, this.request);
    const elapsedS = (performance.now() - started) / 1000;
    const cores = { service: serviceCpu.cores(), erp: erpCpu.cores(), machine: machineCpu.cores() };
    const accepted = results.filter((r) => r.status === 202);
    const sentAt = new Map(accepted.map((r) => [o.keyOf(r.body), r.sentAt]));
    progress(`  ${accepted.length}/${results.length} accepted; waiting for ERP postings`);
    const drainMs = o.drainMs?.(accepted.length) ?? 0;
    const read = await waitForPostings(o.readPostings, this.position, accepted.length, 120_000 + drainMs);
    this.position = read.total;
    let duplicates = 0;
    const e2e: number[] = [];
    for (const posting of read.postings) {
      if (this.seen.has(posting.key)) duplicates++;
      this.seen.add(posting.key);
      const sent = sentAt.get(posting.key);
      if (sent !== undefined) e2e.push(posting.committedAt - sent);
    }
    const step: Step = {
      ...measuredStep(rate, results, accepted, elapsedS, e2e),
      postedPerSecond: round(
        read.postings.filter((p) => p.committedAt - startedAt <= elapsedS * 1000).length / elapsedS,
        0,
      ),
      duplicatesInErp: duplicates,
      serviceCpuCores: round(cores.service, 2),
      simulatorCpuCores: round(cores.erp, 2),
      machineCpuCores: round(cores.machine, 2),
      servicePeakRssMb: round(peakRssMb(o.servicePid), 0),
    };
    this.steps.push(step);
    progress(`  posted ${step.postedPerSecond}/s while offered; ${step.refused} answered 503`);
    if (this.saturatedAt === undefined && (step.acceptedPerSecond < 0.9 * rate || step.postP99Ms > 1000)) {
      this.saturatedAt = rate;
      this.plan.splice(this.steps.length, this.plan.length, ...(o.plan.overload ? [2 * rate, 3 * rate] : []));
      progress(`  saturated at ${rate}/s; ${o.plan.overload ? 'now 2× and 3× that' : 'not offering more'}`);
    }
    return step;
  }
}

function measuredStep(
  rate: number,
  results: CallResult[],
  accepted: CallResult[],
  elapsedS: number,
  e2e: number[],
) {
  const postMs = accepted.map((r) => r.ms);
  return {
    offeredPerSecond: rate,
    sent: results.length,
    accepted: accepted.length,
    failed: results.length - accepted.length,
    refused: results.filter((r) => r.status === 503 && r.retryAfter !== undefined).length,
    acceptedPerSecond: round(accepted.length / elapsedS, 0),
    postP50Ms: round(percentile(postMs, 50)),
    postP99Ms: round(percentile(postMs, 99)),
    postedInErp: e2e.length,
    e2eP50Ms: round(percentile(e2e, 50)),
    e2eP99Ms: round(percentile(e2e, 99)),
  };
}

/** Reads ERP's postings from `from` until it holds `expected` more (or time runs out). */
async function waitForPostings(
  readPostings: (from: number) => Promise<ErpPosting[]>,
  from: number,
  expected: number,
  timeoutMs: number,
): Promise<{ postings: ErpPosting[]; total: number }> {
  const postings: ErpPosting[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    postings.push(...(await readPostings(from + postings.length)));
    if (postings.length >= expected || Date.now() > until) return { postings, total: from + postings.length };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Past saturation (issue 15, section 4): posted/s at 2× and 3× the rate that saturated, against the
 * run's peak posted/s; the target is ≥ 0.9 of the peak.
 */
export function overloadVerdict(steps: Step[], saturatedAt: number | undefined) {
  if (saturatedAt === undefined) return null;
  const peak = Math.max(...steps.map((s) => s.postedPerSecond));
  const at = (factor: number) => steps.find((s) => s.offeredPerSecond === factor * saturatedAt);
  const ratio = (step?: Step) => (step && peak ? round(step.postedPerSecond / peak, 2) : null);
  return {
    saturatedAtPerSecond: saturatedAt,
    peakPostedPerSecond: peak,
    postedAt2xRatioToPeak: ratio(at(2)),
    postedAt3xRatioToPeak: ratio(at(3)),
    refusedAt2x: at(2)?.refused ?? null,
    refusedAt3x: at(3)?.refused ?? null,
  };
}

/** The steps as a plain-text table. */
export function stepsTable(steps: Step[]): string {
  return table(
    [
      'offered/s',
      'accepted/s',
      'POST p50',
      'POST p99',
      'posted',
      'posted/s',
      '503s',
      'e2e p50',
      'e2e p99',
      'svc CPU',
      'ERP sim CPU',
      'machine CPU',
      'svc peak MB',
    ],
    steps.map((s) => [
      s.offeredPerSecond,
      s.acceptedPerSecond,
      `${s.postP50Ms} ms`,
      `${s.postP99Ms} ms`,
      `${s.postedInErp}/${s.accepted}`,
      s.postedPerSecond,
      s.refused,
      `${s.e2eP50Ms} ms`,
      `${s.e2eP99Ms} ms`,
      s.serviceCpuCores,
      s.simulatorCpuCores,
      `${s.machineCpuCores}/${machine().cpus}`,
      s.servicePeakRssMb,
    ]),
  );
}
