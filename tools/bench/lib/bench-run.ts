import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startErpSimulatorProcess } from '@plantbridge/erp-simulator/testing';
import { connectForTest, deleteDurables } from '@plantbridge/messaging/testing';
import { createTestSchema, freePort, ServiceProcess, type TestSchema } from '@plantbridge/testing';
import { benchAuth } from './auth';
import { HttpLoad } from './http-load';
import { progress } from './report';

/**
 * What one benchmark's service run leaves behind, removed by `close`: a scratch folder, the
 * processes it started (the ERP simulator, the service), a PostgreSQL schema of its own with
 * `--db postgres`, and the durable consumers of its plant (each run has a plant of its own).
 */
export class BenchRun {
  readonly dir: string;
  private readonly children: ServiceProcess[] = [];
  private schema?: TestSchema;

  constructor(
    readonly plant: string,
    private readonly natsUrl: string,
    name: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  }

  /** The ERP simulator as its own process, with a control client (a few connections). */
  async startErp(): Promise<{ pid: number; url: string; control: HttpLoad }> {
    const erp = await startErpSimulatorProcess(this.plant);
    this.children.push(erp.process);
    progress(`ERP simulator on :${erp.port}`);
    return { pid: erp.process.pid, url: erp.url, control: new HttpLoad('127.0.0.1', erp.port, 8) };
  }

  /**
   * A service of this run's plant as its own process on a free port, talking to the ERP simulator
   * at `erpUrl`, on `db` (sqlite, the embedded default, or postgres: a schema of its own), verifying
   * every request's token as in production (see benchAuth), with `env` on top; `profile`: a V8 CPU
   * profile into BENCH_PROFILE_DIR, when that is set. `mes` is a client with the token.
   */
  async startService(o: {
    entry: string;
    db: string;
    erpUrl: string;
    env: Record<string, string>;
    profile: boolean;
  }): Promise<{ process: ServiceProcess; port: number; mes: HttpLoad }> {
    const port = await freePort();
    const auth = await benchAuth(this.dir, [this.plant]);
    const env = {
      HTTP_PORT: String(port),
      PLANT_ID: this.plant,
      NATS_URL: this.natsUrl,
      DATA_DIR: this.dir,
      ERP_BASE_URL: o.erpUrl,
      LOG_LEVEL: 'warn',
      ...auth.env,
      ...(await this.database(o.db)),
      ...o.env,
    };
    const profileDir = o.profile ? process.env.BENCH_PROFILE_DIR : undefined;
    const service = ServiceProcess.startEntry(
      o.entry,
      [],
      env,
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    this.children.push(service);
    return { process: service, port, mes: new HttpLoad('127.0.0.1', port, 256, auth.headers) };
  }

  private async database(kind: string): Promise<Record<string, string>> {
    if (kind === 'sqlite') return {};
    if (kind !== 'postgres') throw new Error(`--db is sqlite or postgres, not ${kind}`);
    this.schema = await createTestSchema('bench');
    return { DATABASE_URL: this.schema.url, DATABASE_SCHEMA: this.schema.schema };
  }

  async close(): Promise<void> {
    for (const child of this.children.reverse()) await child.stop();
    await this.removeDurables().catch((error: Error) =>
      progress(`could not remove the durables of plant ${this.plant}: ${error.message}`),
    );
    await this.schema?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async removeDurables(): Promise<void> {
    const nats = await connectForTest(this.natsUrl);
    try {
      await deleteDurables(nats, this.plant);
    } finally {
      await nats.close();
    }
  }
}

/** Polls `check` every 200 ms until it holds (a throw counts as not yet); throws after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}
