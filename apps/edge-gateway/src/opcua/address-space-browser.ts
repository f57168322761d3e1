import { randomBytes } from 'node:crypto';
import {
  AttributeIds,
  BrowseDescription,
  BrowseDirection,
  BrowseNextRequest,
  BrowseNextResponse,
  BrowseRequest,
  BrowseResponse,
  type BrowseResult,
  type ClientSession,
  NodeClass,
  type NodeId,
  ReferenceTypeIds,
  resolveNodeId,
  StatusCode,
} from 'node-opcua';

/** One child of a browsed node: what a mapping author needs to pick a node id. */
export interface BrowsedReference {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  referenceType: string;
  typeDefinition: string;
}

/** One page of children; `continuationPoint` fetches the next page (while this session lasts). */
export interface BrowsePage {
  references: BrowsedReference[];
  continuationPoint: string | null;
}

export type BrowseFailure =
  | 'not-connected'
  | 'invalid-node-id'
  | 'unknown-node'
  | 'invalid-continuation-point'
  | 'server-busy'
  | 'server-timeout'
  | 'server-error';

/** Why a browse could not be answered, in terms an HTTP layer maps to a status code. */
export class BrowseError extends Error {
  constructor(
    readonly reason: BrowseFailure,
    message: string,
    /** The OPC UA status code behind it, e.g. `BadNoContinuationPoints`, when the server gave one. */
    readonly opcuaStatus?: string,
  ) {
    super(message);
    this.name = 'BrowseError';
  }
}

/** A continuation point no client has used for this long is released on the server. */
export const BROWSE_IDLE_RELEASE_MS = 60_000;
/** Held at most when the server does not say (MaxBrowseContinuationPoints 0 means "no limit"). */
export const DEFAULT_MAX_HELD_CONTINUATION_POINTS = 10;
/** ServerCapabilities.MaxBrowseContinuationPoints (ns=0;i=2735). */
const MAX_BROWSE_CONTINUATION_POINTS = 'ns=0;i=2735';

/** The server is short of something a later request will have again: try again. */
const BUSY = new Set([
  'BadNoContinuationPoints',
  'BadTooManyOperations',
  'BadServerTooBusy',
  'BadResourceUnavailable',
]);
const TIMEOUT = new Set(['BadTimeout', 'BadRequestTimeout']);
const UNKNOWN_NODE = new Set(['BadNodeIdUnknown', 'BadNodeIdInvalid']);
/** The session or its channel went away under the request: the endpoint is reconnecting. */
const DISCONNECTED = new Set([
  'BadConnectionClosed',
  'BadSecureChannelClosed',
  'BadSessionClosed',
  'BadSessionIdInvalid',
  'BadServerHalted',
]);

function expiredContinuationPoint(status?: string): BrowseError {
  return new BrowseError(
    'invalid-continuation-point',
    'the continuation point is unknown, used or expired (or the session was renewed); browse again from the node',
    status,
  );
}

/** A failed browse in the terms of the REST API, from the OPC UA status the server gave. */
export function browseFailure(status: string, what: string): BrowseError {
  if (UNKNOWN_NODE.has(status))
    return new BrowseError('unknown-node', `the server has no node ${what}`, status);
  if (status === 'BadContinuationPointInvalid') return expiredContinuationPoint(status);
  if (BUSY.has(status)) {
    return new BrowseError('server-busy', `the OPC UA server is busy (${status}); try again shortly`, status);
  }
  if (TIMEOUT.has(status)) {
    return new BrowseError('server-timeout', `the OPC UA server did not answer in time (${status})`, status);
  }
  if (DISCONNECTED.has(status)) {
    return new BrowseError('not-connected', `the endpoint lost its session (${status}); try again`, status);
  }
  return new BrowseError('server-error', `the OPC UA server answered ${status} to browsing ${what}`, status);
}

/**
 * The OPC UA status behind a failed request: a ServiceFault's service result, or the status a
 * client-side error names. node-opcua reports its own request timeout without a status code.
 */
export function statusOfError(error: unknown): string | undefined {
  const { response, message } = error as {
    response?: { responseHeader?: { serviceResult?: unknown } };
    message?: string;
  };
  const serviceResult = response?.responseHeader?.serviceResult;
  if (serviceResult instanceof StatusCode && serviceResult.isBad()) return serviceResult.name;
  if (/timed out/i.test(message ?? '')) return 'BadTimeout';
  return /\b(Bad[A-Za-z]+)\b/.exec(message ?? '')?.[1];
}

const REFERENCE_TYPE_NAMES = new Map(Object.entries(ReferenceTypeIds).map(([name, id]) => [id, name]));

/** `HasComponent` for ns=0;i=47; other namespaces' reference types by their node id. */
function referenceTypeName(id: NodeId): string {
  return (id.namespace === 0 && REFERENCE_TYPE_NAMES.get(id.value as number)) || id.toString();
}

/** What the browser sends through: node-opcua's session has it, its ClientSession type does not say. */
interface RequestSender {
  performMessageTransaction(
    request: BrowseRequest | BrowseNextRequest,
    callback: (error: Error | null, response?: unknown) => void,
  ): void;
}

interface HeldPoint {
  serverPoint: Buffer;
  idle: NodeJS.Timeout;
}

export interface AddressSpaceBrowserOptions {
  /** How long a continuation point may wait for its next page (default BROWSE_IDLE_RELEASE_MS). */
  idleReleaseMs?: number;
}

/**
 * Browses one session's address space for the REST API (forward, hierarchical references).
 *
 * Each browse is a BrowseRequest of its own with its own page size: the session-wide
 * `requestedMaxReferencesPerNode` would change the page size of every other browse on the session.
 *
 * A server allows a session only a few continuation points (MaxBrowseContinuationPoints, often
 * 5-10) and keeps each until its last page is read or it is released; once they are all taken,
 * every browse fails, even of a node with three children. A REST client that stops paging never
 * says so, so the points are held here: the client gets a token per page (used once), a point
 * nobody asked for within `idleReleaseMs` is released, and a browse that needs room releases the
 * least recently used one first (its client is told to browse again).
 */
export class AddressSpaceBrowser {
  /** Least recently used first. */
  private readonly held = new Map<string, HeldPoint>();
  /** Requests under way that may each come back with a continuation point. */
  private inFlight = 0;
  private limit?: Promise<number>;
  private disposed = false;
  private readonly idleReleaseMs: number;

  constructor(
    readonly session: ClientSession,
    options: AddressSpaceBrowserOptions = {},
  ) {
    this.idleReleaseMs = options.idleReleaseMs ?? BROWSE_IDLE_RELEASE_MS;
  }

  /** The first page of the children of `nodeId`, at most `maxReferences` of them. */
  async browse(nodeId: string, maxReferences: number): Promise<BrowsePage> {
    let node: NodeId;
    try {
      node = resolveNodeId(nodeId);
    } catch (error) {
      const why = (error as Error).message;
      throw new BrowseError('invalid-node-id', `${nodeId} is not an OPC UA node id${why ? `: ${why}` : ''}`);
    }
    const limit = await this.maxHeld();
    // Room is made and claimed in one step, so that concurrent browses do not count the same slot.
    const evicted = this.makeRoom(limit);
    this.inFlight += 1;
    try {
      if (evicted.length) await this.release(evicted);
      const response = await this.send(
        new BrowseRequest({
          nodesToBrowse: [
            new BrowseDescription({
              nodeId: node,
              browseDirection: BrowseDirection.Forward,
              referenceTypeId: resolveNodeId('HierarchicalReferences'),
              includeSubtypes: true,
              nodeClassMask: 0,
              resultMask: 0x3f,
            }),
          ],
          requestedMaxReferencesPerNode: maxReferences,
        }),
        nodeId,
      );
      return this.page(firstResult(response, BrowseResponse), nodeId);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The page after the one that handed out `token`; each token is good for one call. */
  async browseNext(token: string): Promise<BrowsePage> {
    const point = this.take(token);
    if (!point) throw expiredContinuationPoint();
    this.inFlight += 1;
    try {
      const response = await this.send(
        new BrowseNextRequest({ continuationPoints: [point], releaseContinuationPoints: false }),
        'the next page',
      ).catch((error: unknown) => {
        // Whether the server moved on is unknown: the client must browse again, so free the point.
        void this.release([point]);
        throw error;
      });
      return this.page(firstResult(response, BrowseNextResponse), 'the next page');
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Continuation points held for REST clients now. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Forgets the held points: the session they belong to is closing, and takes them with it. */
  dispose(): void {
    this.disposed = true;
    for (const { idle } of this.held.values()) clearTimeout(idle);
    this.held.clear();
  }

  private page(result: BrowseResult, what: string): BrowsePage {
    if (!result.statusCode.isGood()) throw browseFailure(result.statusCode.name, what);
    return {
      references: (result.references ?? []).map((r) => ({
        nodeId: r.nodeId.toString(),
        browseName: r.browseName.toString(),
        displayName: r.displayName.text ?? '',
        nodeClass: NodeClass[r.nodeClass],
        referenceType: referenceTypeName(r.referenceTypeId),
        typeDefinition: r.typeDefinition.toString(),
      })),
      // An empty continuation point: this was the last page, and the server has freed it.
      continuationPoint: result.continuationPoint?.length ? this.hold(result.continuationPoint) : null,
    };
  }

  private hold(serverPoint: Buffer): string {
    // URL-safe: a client that puts it in a query string unencoded still sends it back whole.
    const token = randomBytes(12).toString('base64url');
    // A session already closing: the token finds nothing, and its client is told to browse again.
    if (this.disposed) return token;
    const idle = setTimeout(() => {
      const point = this.take(token);
      if (point) void this.release([point]);
    }, this.idleReleaseMs);
    idle.unref();
    this.held.set(token, { serverPoint, idle });
    return token;
  }

  private take(token: string): Buffer | undefined {
    const held = this.held.get(token);
    if (!held) return undefined;
    clearTimeout(held.idle);
    this.held.delete(token);
    return held.serverPoint;
  }

  /** Takes the least recently used points until a new one fits under the server's limit. */
  private makeRoom(limit: number): Buffer[] {
    const evicted: Buffer[] = [];
    for (const token of this.held.keys()) {
      if (this.held.size + this.inFlight < limit) break;
      const point = this.take(token);
      if (point) evicted.push(point);
    }
    return evicted;
  }

  /** Frees points on the server; a session that is gone has freed them already. */
  private async release(points: Buffer[]): Promise<void> {
    await this.send(
      new BrowseNextRequest({ continuationPoints: points, releaseContinuationPoints: true }),
      'a release',
    ).catch(() => undefined);
  }

  private maxHeld(): Promise<number> {
    this.limit ??= this.session
      .read({ nodeId: MAX_BROWSE_CONTINUATION_POINTS, attributeId: AttributeIds.Value })
      .then((value) => {
        const limit = Number(value.value.value);
        return value.statusCode.isGood() && limit > 0 ? limit : DEFAULT_MAX_HELD_CONTINUATION_POINTS;
      })
      .catch(() => DEFAULT_MAX_HELD_CONTINUATION_POINTS);
    return this.limit;
  }

  private send(request: BrowseRequest | BrowseNextRequest, what: string): Promise<unknown> {
    const sender = this.session as unknown as RequestSender;
    return new Promise((resolve, reject) =>
      sender.performMessageTransaction(request, (error, response) => {
        if (!error) return resolve(response);
        const status = statusOfError(error);
        reject(
          status
            ? browseFailure(status, what)
            : new BrowseError('server-error', `browsing ${what} failed: ${error.message.split('\n')[0]}`),
        );
      }),
    );
  }
}

function firstResult(
  response: unknown,
  type: typeof BrowseResponse | typeof BrowseNextResponse,
): BrowseResult {
  const result = response instanceof type ? response.results?.[0] : undefined;
  if (!result) throw new BrowseError('server-error', 'the OPC UA server answered a browse without a result');
  return result;
}
