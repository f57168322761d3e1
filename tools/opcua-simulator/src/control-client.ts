import type { MachineryItemState } from './machine-model';

/** A machine as the control API shows it. */
export interface MachineView {
  id: string;
  state: MachineryItemState;
  goodCount: number;
  scrapCount: number;
}

/**
 * Drives a line simulator running as its own process through its control API (see control-api.ts):
 * what tests and benchmarks that treat the simulator as a separate PLC use.
 */
export class LineControlClient {
  constructor(private readonly baseUrl: string) {}

  async machines(): Promise<MachineView[]> {
    return ((await this.call('GET', '/__sim/machines')) as { machines: MachineView[] }).machines;
  }

  async setState(machine: string, state: MachineryItemState): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/state`, { state });
  }

  /** The OPC UA server goes away for `downMs` and comes back; resolves once it is back. */
  async restart(downMs: number): Promise<void> {
    await this.call('POST', '/__sim/restart', { downMs });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }
}
