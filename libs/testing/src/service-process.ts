import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** A Plantbridge service run as its own process, the way `npm start` runs it. */
export class ServiceProcess {
  readonly output: string[] = [];
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(app: string, env: Record<string, string>): ServiceProcess {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'tools/runtime/register.js'), join(ROOT, 'apps', app, 'src/main.ts')],
      {
        env: { ...process.env, OTEL_SDK_DISABLED: 'true', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new ServiceProcess(child);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exit;
  }

  text(): string {
    return this.output.join('');
  }
}
