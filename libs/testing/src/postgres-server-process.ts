import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats-server-process';

export interface PostgresServerOptions {
  /** The superuser's name (with `cert` authentication, the client certificate's CN). */
  user?: string;
  /** pg_hba.conf lines for TCP clients on 127.0.0.1; the default trusts everyone. */
  hba?: string[];
  /** TLS: the server's certificate and key, and the CA whose client certificates it accepts. */
  tls?: { certFile: string; keyFile: string; caFile?: string };
}

/**
 * A PostgreSQL server of the test's own (initdb in a temporary folder, a free port on 127.0.0.1),
 * for what the shared server on 5432 cannot be changed to do: TLS, client certificates, their
 * refusal. PostgreSQL will not run as root, so as root it runs as the `postgres` user.
 */
export class PostgresServerProcess {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly user: string,
    private readonly dir: string,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServerProcess> {
    const user = options.user ?? 'plantbridge';
    const dir = mkdtempSync(join(tmpdir(), 'plantbridge-pg-'));
    const owner = userInfo().uid === 0 ? userIds('postgres') : undefined;
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const data = join(dir, 'data');
    asOwner(owner, 'initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const hba = options.hba ?? ['host all all 127.0.0.1/32 trust'];
    writeFileSync(join(data, 'pg_hba.conf'), ['local all all trust', ...hba, ''].join('\n'));
    const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off'];
    if (options.tls) {
      // Copies of its own: the server may not read the test's folder, and reads a key only when it
      // alone may (mode 0600).
      const own = (from: string, name: string) => {
        const to = join(data, name);
        copyFileSync(from, to);
        chmodSync(to, 0o600);
        if (owner) chownSync(to, owner.uid, owner.gid);
        return to;
      };
      settings.push(
        'ssl=on',
        `ssl_cert_file=${own(options.tls.certFile, 'server.crt')}`,
        `ssl_key_file=${own(options.tls.keyFile, 'server.key')}`,
      );
      if (options.tls.caFile) settings.push(`ssl_ca_file=${own(options.tls.caFile, 'ca.crt')}`);
    }
    const server = new PostgresServerProcess(await freePort(), user, dir);
    const args = ['-D', data, '-p', String(server.port), ...settings.flatMap((s) => ['-c', s])];
    server.child = owner
      ? spawn('runuser', ['-u', 'postgres', '--', 'postgres', ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        })
      : spawn('postgres', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    // Ready when it accepts connections on its socket (the TCP port answers a little earlier).
    while (spawnSync('pg_isready', ['-q', '-h', dir, '-p', String(server.port)]).status !== 0) {
      if (Date.now() > deadline || server.child.exitCode !== null) {
        await server.destroy();
        throw new Error(`postgres did not start on port ${server.port}:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return server;
  }

  /** A URL for a database of this server (default `postgres`), as the given user. */
  url(database = 'postgres'): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${database}`;
  }

  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        // SIGINT: PostgreSQL's fast shutdown, sent to the postmaster itself (runuser does not pass
        // it on).
        try {
          const pid = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
          process.kill(pid, 'SIGINT');
        } catch {
          child.kill('SIGTERM'); // no postmaster yet
        }
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function asOwner(owner: { uid: number } | undefined, command: string, args: string[]): void {
  if (owner) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
  else execFileSync(command, args, { stdio: 'pipe' });
}
