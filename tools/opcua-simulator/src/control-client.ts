import type { MachineryItemState } from './machine-model';

/** A machine as the control API shows it. */
export interface MachineView {
  id: string;
  state: MachineryItemState;
  goodCount: number;
  scrapCount: number;
  /** Its OPC UA alarm condition; `activeSince` is when the active episode began. */
  condition: {
    active: boolean;
    acked: boolean;
    severity: number;
    message: string;
    activeSince: string | null;
    suppressed: boolean;
    shelved: boolean;
  };
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

  /** Activates the machine's OPC UA alarm condition, or changes its severity and message while active. */
  async raiseCondition(machine: string, alarm: { severity: number; message: string }): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/condition`, alarm);
  }

  async clearCondition(machine: string): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/condition/clear`);
  }

  async acknowledgeCondition(machine: string): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/condition/acknowledge`);
  }

  async suppressCondition(machine: string, suppressed: boolean): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/condition/suppress`, { suppressed });
  }

  async shelveCondition(machine: string, shelved: boolean): Promise<void> {
    await this.call('POST', `/__sim/machines/${machine}/condition/shelve`, { shelved });
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
