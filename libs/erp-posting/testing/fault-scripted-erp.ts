import { ErpBusinessError, ErpInDoubtError, ErpTransientError } from '@plantbridge/erp';

/**
 * What ERP does with one call: answer, refuse before doing anything, commit and lose the answer,
 * lose the request, commit after the caller gave up (within ERP's request limit), or refuse for a
 * business reason. A crash of the worker can follow a commit.
 */
export type ErpBehaviour =
  | 'ok'
  | 'unavailable'
  | 'commit-then-drop'
  | 'drop-before-commit'
  | 'commit-late'
  | 'business'
  | 'commit-then-crash';

export const ERP_BEHAVIOURS: readonly ErpBehaviour[] = [
  'ok',
  'unavailable',
  'commit-then-drop',
  'drop-before-commit',
  'commit-late',
  'business',
  'commit-then-crash',
];

/** ERP_REQUEST_LIMIT_MS of these tests; a late commit lands up to this long after the call. */
export const REQUEST_LIMIT_MS = 10_000;

/** The tests' clock: JetStream's redelivery delays pass on it at once. Install it in `beforeEach`. */
export const testClock = {
  now: Date.parse('2026-11-26T06:00:00Z'),
  advance(ms: number): void {
    this.now += Math.max(1, ms);
  },
  install(): void {
    jest.spyOn(Date, 'now').mockImplementation(() => testClock.now);
  },
};

/** The process died mid-posting: nothing after the ERP call ran. */
export class WorkerCrash extends Error {}

/** ERP's document for a key in the fault-scripted ERP. */
export interface ScriptedDocument {
  key: string;
  number: string;
  alreadyPosted: boolean;
}

/**
 * An ERP that holds documents by key, accepts a key twice as SAP does, and misbehaves as the script
 * says, one behaviour per call (then answers). A kind under test wraps it in its ERP port.
 */
export class FaultScriptedErp {
  /** How many times ERP holds each key: exactly once means 1. */
  readonly posted = new Map<string, number>();
  private count = 0;
  /** Writes ERP is still working on, and when each commits. */
  private readonly late: Array<{ key: string; at: number }> = [];

  constructor(
    private readonly script: ErpBehaviour[] = [],
    private readonly lateCommitMs = REQUEST_LIMIT_MS - 1,
  ) {}

  async post(key: string): Promise<ScriptedDocument> {
    this.commitDue();
    switch (this.script.shift() ?? 'ok') {
      case 'ok':
        return this.commit(key);
      case 'unavailable':
        throw new ErpTransientError('post', 'SAP 503', 503);
      case 'commit-then-drop':
        this.commit(key);
        throw new ErpInDoubtError('post', 'socket hang up');
      case 'drop-before-commit':
        throw new ErpInDoubtError('post', 'timeout');
      case 'commit-late':
        this.late.push({ key, at: testClock.now + this.lateCommitMs });
        throw new ErpInDoubtError('post', 'timeout');
      case 'business':
        throw new ErpBusinessError('post', 'Order 1000123 is already closed', 400, 'RU/140');
      case 'commit-then-crash':
        this.commit(key);
        throw new WorkerCrash();
    }
  }

  async find(key: string): Promise<ScriptedDocument | undefined> {
    this.commitDue();
    if (this.script[0] === 'unavailable') {
      this.script.shift();
      throw new ErpTransientError('find', 'SAP 503', 503);
    }
    return this.posted.has(key) ? { key, number: '1', alreadyPosted: true } : undefined;
  }

  /** What ERP will hold once every write it is working on has committed. */
  settle(): void {
    testClock.advance(this.lateCommitMs + 1);
    this.commitDue();
  }

  private commitDue(): void {
    for (const write of this.late.filter((w) => w.at <= testClock.now)) {
      this.late.splice(this.late.indexOf(write), 1);
      this.commit(write.key);
    }
  }

  private commit(key: string): ScriptedDocument {
    this.posted.set(key, (this.posted.get(key) ?? 0) + 1);
    return { key, number: String(++this.count), alreadyPosted: false };
  }
}
