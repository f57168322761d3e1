// Keeps one process of `npm start` running: a service or simulator that exits without being asked to
// is started again after a backoff, so one crash costs the plant that process for a moment, not the
// whole demo (the other services, the other plants and the ERP simulator's in-memory ledger).
'use strict';
const { EventEmitter } = require('node:events');

const DEFAULTS = {
  // 1 s, 2 s, 4 s, … 30 s: a process that dies at boot (bad setting, port taken) is not restarted in
  // a tight loop that floods its log and the CPU, and one that crashed once is back within a second.
  initialMs: 1000,
  maxMs: 30_000,
  // A run this long was healthy: its crash starts the backoff over at initialMs.
  stableMs: 60_000,
  // stop() sends SIGKILL after this, so Ctrl-C never hangs on a process that ignores SIGTERM.
  killAfterMs: 30_000,
};

/** The wait before starting again after `crashes` crashes in a row (1, 2, …). */
function backoffMs(crashes, { initialMs, maxMs } = DEFAULTS) {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, crashes - 1));
}

/**
 * One supervised process. `spawn(start)` starts it (start: 1, 2, …) and returns its ChildProcess.
 * Events: 'start' { pid, start }, 'crash' { code, signal, uptimeMs, delayMs } when it exited on its
 * own and is started again in delayMs, 'stopped' { code, signal } when it exited after stop().
 * `state` is 'running', 'restarting' (until `restartAt`) or 'stopped'; `restarts` counts restarts.
 */
class Supervisor extends EventEmitter {
  #spawn;
  #options;
  #child = null;
  #timer = null;
  #stopping = false;
  #crashes = 0;

  constructor(spawn, options = {}) {
    super();
    this.#spawn = spawn;
    this.#options = { ...DEFAULTS, ...options };
    this.state = 'new';
    this.starts = 0;
    this.restarts = 0;
    this.startedAt = 0;
    this.restartAt = 0;
    this.lastExit = null;
  }

  get pid() {
    return this.#child ? this.#child.pid : undefined;
  }

  start() {
    if (this.#stopping) return;
    this.starts++;
    const child = this.#spawn(this.starts);
    this.#child = child;
    this.startedAt = Date.now();
    this.state = 'running';
    let exited = false;
    const onExit = (code, signal) => {
      if (exited) return;
      exited = true;
      this.#exited(code, signal);
    };
    child.once('exit', onExit);
    // A process that could not be spawned emits 'error' and maybe no 'exit'; a listener also keeps a
    // failed kill() from throwing.
    child.on('error', () => child.pid === undefined && onExit(null, null));
    this.emit('start', { pid: child.pid, start: this.starts });
  }

  #exited(code, signal) {
    this.#child = null;
    this.lastExit = { code, signal };
    if (this.#stopping) {
      this.state = 'stopped';
      this.emit('stopped', this.lastExit);
      return;
    }
    const uptimeMs = Date.now() - this.startedAt;
    this.#crashes = uptimeMs >= this.#options.stableMs ? 1 : this.#crashes + 1;
    const delayMs = backoffMs(this.#crashes, this.#options);
    this.state = 'restarting';
    this.restartAt = Date.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.restarts++;
      this.start();
    }, delayMs);
    this.emit('crash', { code, signal, uptimeMs, delayMs });
  }

  /**
   * No more restarts from now on (synchronous: call it the moment Ctrl-C arrives, so a process that
   * exits while the others drain is not started again).
   */
  hold() {
    this.#stopping = true;
    clearTimeout(this.#timer);
    if (!this.#child) this.state = 'stopped';
  }

  /**
   * Stops it for good: SIGTERM (or `signal`), SIGKILL after killAfterMs. Resolves with its exit, or
   * null if it was not running (waiting to restart, or stopped already).
   */
  async stop(signal = 'SIGTERM') {
    this.hold();
    const child = this.#child;
    if (!child) return null;
    const stopped = new Promise((resolve) => this.once('stopped', resolve));
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), this.#options.killAfterMs);
    const result = await stopped;
    clearTimeout(killer);
    return result;
  }
}

module.exports = { Supervisor, backoffMs, DEFAULTS };
