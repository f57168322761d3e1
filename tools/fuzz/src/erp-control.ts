import { startErpSimulatorProcess } from '@plantbridge/erp-simulator/testing';
import type { ServiceProcess } from '@plantbridge/testing';

/** The part of a SAP confirmation the checks read. */
interface LedgerEntry {
  ExternalSystemConfirmation: string;
  IsReversal: boolean;
}

/**
 * The ERP simulator as a process of its own, driven through its control API (`/__sim`). In the
 * fuzzer's process it slowed down whenever the fuzzer was busy (generating 1 MiB bodies, checking
 * thousands of keys), and the service's postings with it: the plant looked stuck when the fuzzer was.
 */
export class ErpControl {
  /** The ledger so far; it only grows, so each read fetches what is new. */
  private readonly ledger: LedgerEntry[] = [];

  private constructor(
    readonly process: ServiceProcess,
    readonly url: string,
  ) {}

  static async start(plant: string): Promise<ErpControl> {
    const simulator = await startErpSimulatorProcess(plant);
    return new ErpControl(simulator.process, simulator.url);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`ERP simulator ${method} ${path}: ${response.status}`);
    return (await response.json()) as T;
  }

  async releaseOrder(plant: string, quantity: number, operations: number): Promise<string> {
    const order = await this.call<{ ManufacturingOrder: string }>('POST', '/orders', {
      plant,
      quantity,
      operations,
    });
    return order.ManufacturingOrder;
  }

  async close(order: string): Promise<void> {
    await this.call('POST', `/orders/${order}/close`);
  }

  async outage(ms: number): Promise<void> {
    await this.call('PUT', '/faults', { outageMs: ms });
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** How many times ERP holds each confirmation key (reversals aside). */
  async holdings(): Promise<Map<string, number>> {
    const { confirmations } = await this.call<{ confirmations: LedgerEntry[] }>(
      'GET',
      `/ledger?from=${this.ledger.length}`,
    );
    this.ledger.push(...confirmations);
    const counts = new Map<string, number>();
    for (const c of this.ledger) {
      if (!c.IsReversal)
        counts.set(c.ExternalSystemConfirmation, (counts.get(c.ExternalSystemConfirmation) ?? 0) + 1);
    }
    return counts;
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
