import { EventEmitter } from 'node:events';

// supervisor.js is plain CommonJS (npm start runs without the TypeScript hook): typed here.
interface SupervisorLike extends EventEmitter {
  state: string;
  restarts: number;
  restartAt: number;
  start(): void;
  hold(): void;
  stop(): Promise<{ code: number | null; signal: string | null } | null>;
}
const { Supervisor, backoffMs, DEFAULTS } = jest.requireActual<{
  Supervisor: new (spawn: (start: number) => FakeChild, options?: object) => SupervisorLike;
  backoffMs(crashes: number, options?: object): number;
  DEFAULTS: { initialMs: number; maxMs: number; stableMs: number };
}>('./supervisor');

/** A ChildProcess stand-in: `crash()` makes it exit on its own, kill() makes it exit as asked. */
class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  killedWith: string[] = [];
  constructor(readonly pid: number) {
    super();
  }
  crash(code: number | null = null, signal: string | null = 'SIGKILL') {
    this.exitCode = code;
    this.emit('exit', code, signal);
  }
  kill(signal: string) {
    this.killedWith.push(signal);
    void Promise.resolve().then(() => this.crash(null, signal)); // exits soon after, as a process does
    return true;
  }
}

describe('Supervisor', () => {
  let children: FakeChild[];
  let supervisor: SupervisorLike;
  const crashes: { delayMs: number }[] = [];
  const spawn = () => {
    const child = new FakeChild(1000 + children.length);
    children.push(child);
    return child;
  };
  const last = () => children[children.length - 1];

  beforeEach(() => {
    jest.useFakeTimers();
    children = [];
    crashes.length = 0;
    supervisor = new Supervisor(spawn);
    supervisor.on('crash', (crash: { delayMs: number }) => crashes.push(crash));
    supervisor.start();
  });
  afterEach(() => jest.useRealTimers());

  it('restarts a process that exits on its own, after 1 s, 2 s, 4 s, … up to 30 s', () => {
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().crash();
      expect(supervisor.state).toBe('restarting');
      waits.push(supervisor.restartAt - Date.now());
      jest.advanceTimersByTime(supervisor.restartAt - Date.now() - 1);
      expect(children).toHaveLength(i + 1); // not a moment early
      jest.advanceTimersByTime(1);
      expect(children).toHaveLength(i + 2);
      expect(supervisor.state).toBe('running');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(crashes.map((c) => c.delayMs)).toEqual(waits);
    expect(supervisor.restarts).toBe(7);
  });

  it('starts the backoff over after a run that lasted stableMs', () => {
    for (let i = 0; i < 3; i++) {
      last().crash();
      jest.advanceTimersByTime(backoffMs(i + 1));
    }
    jest.advanceTimersByTime(DEFAULTS.stableMs);
    last().crash();
    expect(crashes.map((c) => c.delayMs)).toEqual([1000, 2000, 4000, 1000]);
  });

  it('does not restart what it was asked to stop, nor what was waiting to restart', async () => {
    const child = last();
    await supervisor.stop();
    expect(child.killedWith).toEqual(['SIGTERM']);
    expect(supervisor.state).toBe('stopped');
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);

    const other = new Supervisor(spawn);
    other.start();
    last().crash(1, null);
    await other.stop(); // during its backoff
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(2);
    expect(other.state).toBe('stopped');
  });

  it('after hold() (Ctrl-C), a process that exits by itself stays stopped', () => {
    supervisor.hold();
    last().crash(0, null);
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
    expect(supervisor.state).toBe('stopped');
    expect(crashes).toHaveLength(0);
  });
});
