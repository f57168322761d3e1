import { freePort, ServiceProcess } from '@plantbridge/testing';
import { lineEndpointUrl } from '../src/counting-mapping';

export interface LineSimulatorProcessOptions {
  machines: number;
  /** Its PKI folder goes in here. */
  dataDir: string;
  tickMs?: number;
  seed?: number;
  /** Bulk Double tags for load benchmarks. */
  loadTags?: number;
}

/**
 * The OPC UA line simulator as its own process (the PLC of tests and benchmarks) on free ports.
 * Resolves once it listens, with its OPC UA endpoint and the base URL of its control API.
 */
export async function startLineSimulatorProcess(
  options: LineSimulatorProcessOptions,
): Promise<{ process: ServiceProcess; port: number; endpointUrl: string; controlUrl: string }> {
  const port = await freePort();
  const controlPort = await freePort();
  const optional = (flag: string, value?: number) => (value === undefined ? [] : [flag, String(value)]);
  const simulator = ServiceProcess.startEntry('tools/opcua-simulator/src/main.ts', [
    ...['--port', String(port), '--control-port', String(controlPort)],
    ...['--machines', String(options.machines), '--data-dir', options.dataDir],
    ...optional('--tick-ms', options.tickMs),
    ...optional('--seed', options.seed),
    ...optional('--load-tags', options.loadTags),
  ]);
  await simulator.waitFor('listening').catch(async (error: unknown) => {
    await simulator.stop();
    throw error;
  });
  return {
    process: simulator,
    port,
    endpointUrl: lineEndpointUrl(port),
    controlUrl: `http://127.0.0.1:${controlPort}`,
  };
}
