import { freePort, ServiceProcess } from '@plantbridge/testing';

/**
 * The ERP simulator as its own process on a free port, with no orders yet (tests and benchmarks
 * release their own), the way `npm start` runs it. Resolves once it listens.
 */
export async function startErpSimulatorProcess(
  plant: string,
): Promise<{ process: ServiceProcess; port: number; url: string }> {
  const port = await freePort();
  const simulator = ServiceProcess.startEntry('tools/erp-simulator/src/main.ts', [
    ...['--port', String(port), '--plants', plant, '--orders', '0'],
  ]);
  await simulator.waitFor('listening').catch(async (error: unknown) => {
    await simulator.stop();
    throw error;
  });
  return { process: simulator, port, url: `http://127.0.0.1:${port}` };
}
