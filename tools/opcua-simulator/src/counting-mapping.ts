/** The OPC UA endpoint of a line simulator on `port`. */
export function lineEndpointUrl(port: number): string {
  return `opc.tcp://127.0.0.1:${port}/UA/PlantbridgeLine`;
}

/** A simulator node id: `ns=1;s=Line1.M01.GoodParts`. */
export function lineNodeId(line: string, machine: string, signal: string): string {
  return `ns=1;s=${line}.${machine}.${signal}`;
}

/**
 * An edge-gateway tag mapping that reads each machine's state and good and scrap counters from a
 * line simulator on `opcuaPort`, with equipment ids `<plant>-<machine>`: what tests and benchmarks of
 * the counting path (counts to confirmations to ERP) give the gateway.
 */
export function countingMapping(options: {
  opcuaPort: number;
  plant: string;
  machines: string[];
  countAggregation: { intervalMs: number; unitStep: number };
}) {
  const node = (machine: string, signal: string) => lineNodeId('Line1', machine, signal);
  return {
    endpoints: [
      {
        id: 'line1',
        url: lineEndpointUrl(options.opcuaPort),
        tags: options.machines.flatMap((m) => [
          { nodeId: node(m, 'State'), equipmentId: `${options.plant}-${m}`, signal: 'state' },
          ...(['good', 'scrap'] as const).map((counter) => ({
            nodeId: node(m, counter === 'good' ? 'GoodParts' : 'ScrapParts'),
            equipmentId: `${options.plant}-${m}`,
            signal: 'counter',
            counter,
            max: 65535,
            unit: 'PC',
          })),
        ]),
      },
    ],
    countAggregation: options.countAggregation,
  };
}
