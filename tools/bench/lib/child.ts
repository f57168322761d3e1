import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** A TypeScript entry point of this repository run as its own Node process (as `npm start` runs it). */
export class Child {
  private output = '';

  private constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static start(
    entry: string,
    args: string[] = [],
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ): Child {
    const child = spawn(
      global.process.execPath,
      [...nodeArgs, '-r', join(ROOT, 'tools/runtime/register.js'), join(ROOT, entry), ...args],
      {
        env: { ...global.process.env, OTEL_SDK_DISABLED: 'true', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new Child(child);
  }

  get pid(): number {
    return this.process.pid as number;
  }

  /** Resolves once the output contains `text`; rejects if the process exits first or time runs out. */
  waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = setInterval(() => {
        if (this.output.includes(text)) done(resolve);
        else if (this.process.exitCode !== null)
          done(() => reject(new Error(`exited before "${text}":\n${this.output.slice(-2000)}`)));
      }, 50);
      const timer = setTimeout(
        () =>
          done(() => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${this.output.slice(-2000)}`))),
        timeoutMs,
      );
      const done = (then: () => void) => {
        clearInterval(check);
        clearTimeout(timer);
        then();
      };
    });
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  text(): string {
    return this.output;
  }
}
