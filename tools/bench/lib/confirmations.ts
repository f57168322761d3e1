import { uniqueToken } from '@plantbridge/testing';
import { BenchRun, waitUntil } from './bench-run';
import { progress } from './report';
import { round } from './stats';
import { type StepPlan, SteppedLoad } from './stepped-load';

export interface ConfirmationLoad extends StepPlan {
  /** Orders the confirmations spread over, one operation each. */
  orders: number;
  db: string;
  maxInFlight: number;
  batchSize: number;
  /** The ERP simulator answers this much later (0: at once). */
  erpLatencyMs: number;
  nats: string;
  /** A V8 CPU profile of the service into BENCH_PROFILE_DIR, when that is set. */
  profile: boolean;
}

/** production-order-sync under a stepped load; `close` stops its processes and removes its scratch. */
export interface ConfirmationService {
  plant: string;
  load: SteppedLoad;
  close(): Promise<void>;
  /** Each request in flight carries up to a batch and takes ERP's latency: ERP_MAX_IN_FLIGHT × ERP_BATCH_SIZE ÷ latency. */
  slotsBound: number;
  /** ERP gets an operation's confirmations one after another: orders ÷ latency. */
  operationsBound: number;
  /** The lower of the two with a slow ERP; null when ERP answers at once. */
  postingBound: number | null;
}

/** A confirmation of one piece, as the MES sends it. */
export const confirmationBody = (): string =>
  JSON.stringify({
    operation: '0010',
    yieldQuantity: 1,
    scrapQuantity: 0,
    unit: 'PC',
    executionStart: '2026-11-26T06:00:00Z',
    executionEnd: '2026-11-26T06:01:00Z',
  });

/**
 * bench:orders' measurement: MES confirmations over HTTP into production-order-sync at rising
 * rates (see SteppedLoad), posted to the ERP simulator (its own process) in OData $batches. Resolves
 * after the warm-up, ready for the load's steps.
 */
export async function startConfirmations(o: ConfirmationLoad): Promise<ConfirmationService> {
  const slotsBound = (o.maxInFlight * o.batchSize * 1000) / o.erpLatencyMs;
  const operationsBound = (o.orders * 1000) / o.erpLatencyMs;
  const postingBound = o.erpLatencyMs ? Math.min(slotsBound, operationsBound) : null;
  const run = new BenchRun(uniqueToken('B'), o.nats, 'orders');
  const { plant } = run;
  try {
    const erp = await run.startErp();
    for (let i = 0; i < o.orders; i++) {
      const body = JSON.stringify({ plant, quantity: 100_000_000, operations: 1 });
      await erp.control.call({ method: 'POST', path: '/__sim/orders', body });
    }
    const {
      process: service,
      port,
      mes,
    } = await run.startService({
      entry: 'apps/production-order-sync/src/main.ts',
      db: o.db,
      erpUrl: erp.url,
      env: {
        ERP_MAX_IN_FLIGHT: String(o.maxInFlight),
        ERP_BATCH_SIZE: String(o.batchSize),
        // The simulator commits after its latency and before it answers.
        ERP_REQUEST_LIMIT_MS: String(Math.max(2000, 2 * o.erpLatencyMs)),
        ORDER_POLL_MS: '500',
      },
      profile: o.profile,
    });
    progress(
      `production-order-sync on :${port} (${o.db}, ERP_MAX_IN_FLIGHT ${o.maxInFlight}, ERP_BATCH_SIZE ${o.batchSize})`,
    );
    const listPath = `/v1/plants/${plant}/production-orders`;
    await waitUntil(async () => {
      const list = await mes.call({ method: 'GET', path: listPath });
      return list.status === 200 && (JSON.parse(list.body) as unknown[]).length === o.orders;
    }, 60_000);
    const orders = (
      JSON.parse((await mes.call({ method: 'GET', path: listPath })).body) as Array<{
        manufacturingOrder: string;
      }>
    ).map((order) => order.manufacturingOrder);
    const body = confirmationBody();
    const load = await SteppedLoad.start({
      noun: 'confirmations',
      plan: o,
      mes,
      post: (i) => ({ path: `${listPath}/${orders[i % orders.length]}/confirmations`, body }),
      keyOf: (answer) => (JSON.parse(answer) as { confirmationId: string }).confirmationId,
      readPostings: async (from) => {
        const answer = await erp.control.call({ method: 'GET', path: `/__sim/ledger?from=${from}` });
        const page = JSON.parse(answer.body) as {
          confirmations: Array<{ ExternalSystemConfirmation: string }>;
          committedAt: number[];
        };
        return page.confirmations.map((c, i) => ({
          key: c.ExternalSystemConfirmation,
          committedAt: page.committedAt[i],
        }));
      },
      servicePid: service.pid,
      erpPid: erp.pid,
      afterWarmUp: async () => {
        if (!o.erpLatencyMs) return;
        const latency = JSON.stringify({ latencyMs: o.erpLatencyMs });
        await erp.control.call({ method: 'PUT', path: '/__sim/faults', body: latency });
        progress(
          `ERP answers after ${o.erpLatencyMs} ms: postings bounded to ${round(postingBound ?? 0, 0)}/s`,
        );
      },
      // A backlog behind a slow ERP drains at the posting bound.
      drainMs: (accepted) => (postingBound ? (accepted / postingBound) * 2000 : 0),
    });
    const close = async () => {
      mes.close();
      erp.control.close();
      await run.close();
    };
    return { plant, load, close, slotsBound, operationsBound, postingBound };
  } catch (error) {
    await run.close();
    throw error;
  }
}
