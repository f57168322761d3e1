import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineSimulator, type LineSimulatorOptions } from '@plantbridge/opcua-simulator';
import { expectEventually, freePort, ServiceProcess, TEST_NATS_URL } from '@plantbridge/testing';
import { LocalIssuer, type TokenRequest } from '@plantbridge/token-issuer';

// The edge gateway as a process for the integration specs: the line simulator it reads, tokens it
// accepts, its tag mapping, the process with the settings every spec gives it, and the wait until
// its endpoints are connected.

/** Starts the OPC UA line simulator on a free port, with its PKI in `dataDir`. */
export async function startLineSimulator(
  dataDir: string,
  options: Omit<LineSimulatorOptions, 'port' | 'dataDir'>,
): Promise<LineSimulator> {
  const simulator = new LineSimulator({ port: await freePort(), dataDir, ...options });
  await simulator.start();
  return simulator;
}

/** A local issuer in `<dir>/auth` and one token of it. */
export interface GatewayAuth {
  issuer: LocalIssuer;
  /** What the gateway needs to accept the issuer's tokens. */
  env: Record<string, string>;
  token: string;
  /** The `authorization` header with the token. */
  headers: { authorization: string };
}

export async function gatewayAuth(dir: string, request: TokenRequest): Promise<GatewayAuth> {
  const issuer = await LocalIssuer.inFolder(join(dir, 'auth'));
  const token = await issuer.token(request);
  return { issuer, env: issuer.env(), token, headers: { authorization: `Bearer ${token}` } };
}

/** Writes the tag mapping `startGatewayProcess` gives the gateway: `<dir>/mapping.json`. */
export function writeTagMapping(dir: string, mapping: unknown): void {
  writeFileSync(join(dir, 'mapping.json'), JSON.stringify(mapping));
}

export interface GatewayProcessSettings {
  /** The test's folder: the gateway's data goes to `gateway/`, its tag mapping is `mapping.json`. */
  dir: string;
  port: number;
  plant: string;
  /** What the gateway needs to accept the test's tokens (`GatewayAuth.env`). */
  authEnv: Record<string, string>;
  /** The test's own settings on top, e.g. `EVENT_BATCH_MS` or another `NATS_URL`. */
  env?: Record<string, string>;
}

/** Starts the edge gateway on the shared NATS, logging warnings and errors only. */
export function startGatewayProcess({
  dir,
  port,
  plant,
  authEnv,
  env,
}: GatewayProcessSettings): ServiceProcess {
  return ServiceProcess.start('edge-gateway', {
    ...authEnv,
    HTTP_PORT: String(port),
    PLANT_ID: plant,
    NATS_URL: TEST_NATS_URL,
    DATA_DIR: join(dir, 'gateway'),
    TAG_MAPPING_FILE: join(dir, 'mapping.json'),
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/** An endpoint as `GET /v1/opcua/endpoints` lists it. */
export interface EndpointStatus {
  state: string;
  connects: number;
  faults: object;
  lastError?: string;
}

export async function opcuaEndpoints(
  port: number,
  headers: { authorization: string },
): Promise<EndpointStatus[]> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/opcua/endpoints`, { headers });
  return (await response.json()) as EndpointStatus[];
}

/**
 * Resolves once `GET /v1/opcua/endpoints` lists `expected`, one value per endpoint as `pick` takes it
 * (by default: one endpoint, connected); asks every 250 ms for 40 s at the most.
 */
export async function untilEndpoints(
  port: number,
  headers: { authorization: string },
  expected: unknown[] = ['connected'],
  pick: (endpoint: EndpointStatus) => unknown = (endpoint) => endpoint.state,
): Promise<void> {
  await expectEventually(
    async () => expect((await opcuaEndpoints(port, headers)).map(pick)).toEqual(expected),
    { timeoutMs: 40_000, intervalMs: 250 },
  );
}
