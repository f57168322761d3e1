import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Contract } from './contract';

/** One OData request to a simulated service. */
export interface ODataRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Below the service root: `/A_MaterialDocumentItem`, `/` for the root itself. */
  path: string;
  params: URLSearchParams;
  body: string;
}

/**
 * A simulated OData service: its root path, the contract (metadata document) its requests must fit,
 * and what answers them. The simulator does what every service shares (authentication, CSRF,
 * faults, `$metadata`, errors) and hands the rest to `handle`, which throws a SapRejection to refuse.
 */
export interface ODataService {
  readonly root: string;
  readonly contract: Contract;
  handle(request: ODataRequest): void;
}

/** What services need of the simulator that serves them. */
export interface ServiceContext {
  /** Scheme, host and port, for the `__metadata` of entities. */
  readonly url: string;
  /**
   * Runs `commit` as a write under the write faults: its connection dropped now and committed later
   * (`lateCommit`), committed and its answer dropped (`dropResponseEvery`), or committed and
   * answered by `answer`.
   */
  write<T>(request: ODataRequest, commit: () => T, answer: (result: T) => void): void;
  /** Refuses a write that moves a material another user holds the lock of (the lock fault). */
  checkLocks(materials: readonly string[]): void;
}

/** A function import's Edm.String parameter as its value: `'4900000001'` is 4900000001. */
export const stringParameter = (params: URLSearchParams, name: string): string =>
  (params.get(name) ?? '').replace(/^'|'$/g, '').replace(/''/g, "'");
