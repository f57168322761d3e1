import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
    socket.connect(port, '127.0.0.1');
  });
}

export interface NatsServerOptions {
  /** The server's `max_payload` in bytes (nats-server's default: 1 MiB). */
  maxPayload?: number;
  /**
   * A configuration of its own (users, permissions), made for the server's port and folder; it must
   * set `host`, `port` and `jetstream.store_dir` from them.
   */
  config?: (server: { port: number; storeDir: string }) => string;
}

/**
 * A nats-server of the test's own, with JetStream in a temporary folder, for tests that must stop
 * and restart the broker. `stop()` then `start()` keeps port and data, like a broker restart.
 */
export class NatsServerProcess {
  private child?: ChildProcess;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'plantbridge-nats-'));

  private constructor(
    readonly port: number,
    private readonly options: NatsServerOptions,
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
    const server = new NatsServerProcess(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    let args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    if (this.options.config) {
      // It says address, port and JetStream's folder itself (the flags would clash with it).
      const config = join(this.storeDir, 'server.conf');
      writeFileSync(config, this.options.config({ port: this.port, storeDir: this.storeDir }), {
        mode: 0o600,
      });
      args = ['-c', config];
    } else if (this.options.maxPayload !== undefined) {
      // No command-line flag for it; a config file of one line.
      const config = join(this.storeDir, 'limits.conf');
      writeFileSync(config, `max_payload: ${this.options.maxPayload}\n`);
      args.push('-c', config);
    }
    this.child = spawn(binary, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`${binary} did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
