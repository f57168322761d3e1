import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
/**
 * The node arguments that run a TypeScript entry point of this repository (relative to its root)
 * with `args`: the launcher `npm start` uses too, with each app's V8 flags.
 */
export const nodeArgsFor = (
  require(join(ROOT, 'tools/runtime/launch.js')) as {
    nodeArgsFor(entry: string, args: string[], nodeOptions?: string): string[];
  }
).nodeArgsFor;

/**
 * A Plantbridge service (or a simulator, or any TypeScript entry point of this repository) run as
 * its own process, the way `npm start` runs it.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(app: string, env: Record<string, string>): ServiceProcess {
    return ServiceProcess.startEntry(join('apps', app, 'src/main.ts'), [], env);
  }

  /** `entry` relative to the repository root; `nodeArgs` go to node itself (e.g. `--prof`). */
  static startEntry(
    entry: string,
    args: string[] = [],
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ): ServiceProcess {
    const nodeOptions = env.NODE_OPTIONS ?? process.env.NODE_OPTIONS;
    const child = spawn(process.execPath, [...nodeArgs, ...nodeArgsFor(entry, args, nodeOptions)], {
      env: { ...process.env, OTEL_SDK_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves once the output contains `text`; rejects if the process exits first or time runs out. */
  async waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.text().includes(text)) {
      if (this.child.exitCode !== null)
        throw new Error(`exited before "${text}":\n${this.text().slice(-2000)}`);
      if (Date.now() > until)
        throw new Error(`no "${text}" within ${timeoutMs} ms:\n${this.text().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
