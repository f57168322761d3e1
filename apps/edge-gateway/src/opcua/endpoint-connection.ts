import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCertificate } from 'node-opcua-crypto';
import {
  AttributeIds,
  BrowseDirection,
  type ClientSession,
  ClientSubscription,
  type DataValue,
  MessageSecurityMode,
  NodeClass,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  type NodeId,
  ReferenceTypeIds,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import type { EndpointMapping, TagMappingEntry } from '../mapping/tag-mapping';

/** One value change of a mapped tag, as the server reported it. */
export interface TagSample {
  tag: TagMappingEntry;
  value: unknown;
  sourceTimestamp: Date;
  serverTimestamp: Date;
}

export type EndpointState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

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

/** Why a browse could not be answered, in terms an HTTP layer maps to a status code. */
export class BrowseError extends Error {
  constructor(
    readonly reason: 'not-connected' | 'unknown-node' | 'invalid-continuation-point',
    message: string,
  ) {
    super(message);
    this.name = 'BrowseError';
  }
}

export interface EndpointConnectionOptions {
  /** The gateway's PKI folder (own certificate, trusted and rejected server certificates). */
  pkiDir: string;
  /** Development only: accept any server certificate. Otherwise an operator trusts it explicitly. */
  trustUnknownServers: boolean;
  publishingIntervalMs: number;
  /** 0: report every change the server sees (exception based). */
  samplingIntervalMs: number;
  /** No data change and no keep-alive for this long while connected: reconnect. */
  stallTimeoutMs: number;
  /** Where `passwordEnv` of a username identity is looked up (`passwordFile` is read instead when set). */
  env: NodeJS.ProcessEnv;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

const REFERENCE_TYPE_NAMES = new Map(Object.entries(ReferenceTypeIds).map(([name, id]) => [id, name]));

/** `HasComponent` for ns=0;i=47; other namespaces' reference types by their node id. */
function referenceTypeName(id: NodeId): string {
  return (id.namespace === 0 && REFERENCE_TYPE_NAMES.get(id.value as number)) || id.toString();
}

/** OperationLimits.MaxMonitoredItemsPerCall of the server (ns=0;i=11714). */
const MAX_MONITORED_ITEMS_PER_CALL = 'ns=0;i=11714';
const DEFAULT_BATCH = 1000;
const TEARDOWN_STEP_MS = 1000;

/** Waits for `work` (ignoring its failure), but no longer than `ms`. */
async function atMost(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work?.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * One OPC UA endpoint: one client, one session, one subscription for all of its mapped tags. It
 * connects in the background and retries for ever; after a server restart or network loss it
 * builds a new session and subscription (the old ones are gone with the server), so the server
 * never holds two. Monitored items are created in batches the server accepts. A node id the
 * server refuses is reported in `faults` and the other tags go on. A silent stall (connected, but
 * neither data nor keep-alive) is treated like a lost connection.
 */
export class EndpointConnection {
  state: EndpointState = 'connecting';
  readonly faults = new Map<string, string>();
  /** Tag changes received; connections made; how long the last subscription took to create. */
  readonly stats = { samples: 0, connects: 0, subscribeMs: 0 };
  lastError?: string;
  private client?: OPCUAClient;
  private session?: ClientSession;
  private subscription?: ClientSubscription;
  private certificates?: OPCUACertificateManager;
  private lastActivity = Date.now();
  private stallTimer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private wakeLoop?: () => void;
  private stopped = false;

  constructor(
    readonly endpoint: EndpointMapping,
    private readonly options: EndpointConnectionOptions,
    private readonly onSample: (sample: TagSample) => void,
  ) {}

  start(): void {
    this.certificates = new OPCUACertificateManager({
      rootFolder: this.options.pkiDir,
      automaticallyAcceptUnknownCertificate: this.options.trustUnknownServers,
    });
    this.loop = this.run();
    this.stallTimer = setInterval(() => this.checkStall(), Math.max(250, this.options.stallTimeoutMs / 4));
    this.stallTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    clearInterval(this.stallTimer);
    this.wakeLoop?.();
    await this.loop;
    await this.teardown();
    await this.certificates?.dispose();
  }

  /** Connect, subscribe, wait until the connection is lost, start again; until stopped. */
  private async run(): Promise<void> {
    let delay = 500;
    while (!this.stopped) {
      try {
        await this.connectAndSubscribe();
        delay = 500;
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
      } catch (error) {
        this.lastError = this.describe(error);
        this.options.logger.warn(`endpoint ${this.endpoint.id}: ${this.lastError}; retrying in ${delay} ms`);
      }
      await this.teardown();
      if (this.stopped) return;
      this.state = 'reconnecting';
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 10_000);
    }
  }

  private async connectAndSubscribe(): Promise<void> {
    const client = OPCUAClient.create({
      applicationName: 'Plantbridge edge-gateway',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[this.endpoint.securityMode],
      securityPolicy: SecurityPolicy[this.endpoint.securityPolicy],
      clientCertificateManager: this.certificates,
      // Reconnection is ours (a fresh session and subscription); the client gives up at once.
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 100 },
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
    });
    this.client = client;
    client.on('connection_lost', () => this.lost('connection lost'));
    await client.connect(this.endpoint.url);
    this.session = await client.createSession(this.identity());
    this.session.on('session_closed', () => this.lost('session closed'));
    const subscribing = performance.now();
    const subscription = await this.session.createSubscription2({
      requestedPublishingInterval: this.options.publishingIntervalMs,
      requestedLifetimeCount: 60,
      requestedMaxKeepAliveCount: 10,
      maxNotificationsPerPublish: 10_000,
      publishingEnabled: true,
    });
    this.subscription = subscription;
    subscription.on('keepalive', () => (this.lastActivity = Date.now()));
    subscription.on('terminated', () => this.lost('subscription terminated'));
    await this.monitorInBatches(subscription, await this.batchSize(this.session));
    this.stats.subscribeMs = Math.round(performance.now() - subscribing);
    this.lastActivity = Date.now();
    this.state = 'connected';
    this.stats.connects += 1;
    this.lastError = undefined;
    this.options.logger.log(
      `endpoint ${this.endpoint.id}: connected to ${this.endpoint.url}, ${this.endpoint.tags.length - this.faults.size} of ${this.endpoint.tags.length} tags monitored (subscribed in ${this.stats.subscribeMs} ms)`,
    );
  }

  /**
   * Children of a node (hierarchical references, forward), at most `maxReferences` per page. Large
   * address spaces page through the server's continuation points, which belong to this session:
   * after a reconnect, browse again from the node.
   */
  async browse(
    request: { nodeId: string; maxReferences: number } | { continuationPoint: string },
  ): Promise<BrowsePage> {
    const session = this.session;
    if (!session || this.state !== 'connected') {
      throw new BrowseError(
        'not-connected',
        `endpoint ${this.endpoint.id} is ${this.state}; browse when it is connected`,
      );
    }
    let result;
    if ('continuationPoint' in request) {
      result = await session.browseNext(Buffer.from(request.continuationPoint, 'base64'), false);
    } else {
      (session as ClientSession & { requestedMaxReferencesPerNode: number }).requestedMaxReferencesPerNode =
        request.maxReferences;
      result = await session.browse({
        nodeId: request.nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'HierarchicalReferences',
        includeSubtypes: true,
        resultMask: 0x3f,
      });
    }
    const status = result.statusCode;
    if (status.equals(StatusCodes.BadNodeIdUnknown) || status.equals(StatusCodes.BadNodeIdInvalid)) {
      throw new BrowseError(
        'unknown-node',
        `the server has no node ${'nodeId' in request ? request.nodeId : ''}`,
      );
    }
    if (status.equals(StatusCodes.BadContinuationPointInvalid)) {
      throw new BrowseError(
        'invalid-continuation-point',
        'the continuation point is unknown or expired (or the session was renewed); browse again from the node',
      );
    }
    if (!status.isGood()) throw new Error(`browse failed: ${status.name}`);
    return {
      references: (result.references ?? []).map((r) => ({
        nodeId: r.nodeId.toString(),
        browseName: r.browseName.toString(),
        displayName: r.displayName.text ?? '',
        nodeClass: NodeClass[r.nodeClass],
        referenceType: referenceTypeName(r.referenceTypeId),
        typeDefinition: r.typeDefinition.toString(),
      })),
      continuationPoint: result.continuationPoint?.length
        ? result.continuationPoint.toString('base64')
        : null,
    };
  }

  private async batchSize(session: ClientSession): Promise<number> {
    const limit = await session.read({
      nodeId: MAX_MONITORED_ITEMS_PER_CALL,
      attributeId: AttributeIds.Value,
    });
    const value = Number(limit.value.value);
    return limit.statusCode.isGood() && value > 0 ? value : DEFAULT_BATCH;
  }

  private async monitorInBatches(subscription: ClientSubscription, batchSize: number): Promise<void> {
    const tags = this.endpoint.tags;
    this.faults.clear();
    for (let start = 0; start < tags.length; start += batchSize) {
      const batch = tags.slice(start, start + batchSize);
      const group = await subscription.monitorItems(
        batch.map((tag) => ({ nodeId: tag.nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: this.options.samplingIntervalMs, queueSize: 100, discardOldest: false },
        TimestampsToReturn.Both,
      );
      group.monitoredItems.forEach((item, i) => {
        if (!item.statusCode.isGood()) this.faults.set(batch[i].nodeId, item.statusCode.name);
      });
      group.on('changed', (_item, dataValue: DataValue, index: number) =>
        this.sample(batch[index], dataValue),
      );
    }
    for (const [nodeId, reason] of this.faults) {
      this.options.logger.warn(`endpoint ${this.endpoint.id}: node ${nodeId} is not monitored: ${reason}`);
    }
  }

  private sample(tag: TagMappingEntry, dataValue: DataValue): void {
    this.lastActivity = Date.now();
    if (!dataValue.statusCode.isGood()) return;
    this.stats.samples += 1;
    const now = new Date();
    this.onSample({
      tag,
      value: dataValue.value.value,
      sourceTimestamp: dataValue.sourceTimestamp ?? dataValue.serverTimestamp ?? now,
      serverTimestamp: dataValue.serverTimestamp ?? now,
    });
  }

  private identity(): UserIdentityInfo | undefined {
    const identity = this.endpoint.identity;
    switch (identity.type) {
      case 'anonymous':
        return undefined;
      case 'username':
        return {
          type: UserTokenType.UserName,
          userName: identity.userName ?? '',
          // Present: the boot checked it (identitySecretProblems).
          password: identity.passwordFile
            ? readFileSync(identity.passwordFile, 'utf8').trim()
            : (this.options.env[identity.passwordEnv ?? ''] ?? ''),
        };
      case 'certificate':
        return {
          type: UserTokenType.Certificate,
          // OPC UA sends the certificate as DER; the file is usually PEM (it was sent as PEM text,
          // which every server refused).
          certificateData: readCertificate(identity.certificateFile ?? ''),
          privateKey: readFileSync(identity.privateKeyFile ?? '', 'utf8'),
        };
    }
  }

  private checkStall(): void {
    if (this.state !== 'connected') return;
    if (Date.now() - this.lastActivity > this.options.stallTimeoutMs) {
      this.lost(`no data and no keep-alive for ${this.options.stallTimeoutMs} ms`);
    }
  }

  private lost(reason: string): void {
    if (this.state !== 'connected') return;
    this.state = 'reconnecting';
    this.lastError = reason;
    this.options.logger.warn(`endpoint ${this.endpoint.id}: ${reason}; reconnecting`);
    this.wakeLoop?.();
  }

  /**
   * Closes the subscription and session politely so the server frees them at once, but gives each
   * step only a moment: after a stall or network loss the server may not answer, and the
   * reconnection must not wait for it (the server drops an orphaned session at its timeout).
   */
  private async teardown(): Promise<void> {
    const { client, session, subscription } = this;
    this.client = this.session = this.subscription = undefined;
    await atMost(TEARDOWN_STEP_MS, subscription?.terminate());
    await atMost(TEARDOWN_STEP_MS, session?.close());
    await atMost(TEARDOWN_STEP_MS, client?.disconnect());
  }

  /** What an operator should read: an untrusted certificate says where to trust it. */
  private describe(error: unknown): string {
    const message = (error as Error).message ?? String(error);
    if (/certificate/i.test(message) && /untrusted|verification|rejected|BadCertificate/i.test(message)) {
      return (
        `the server certificate of ${this.endpoint.url} is not trusted (${message.split('\n')[0]}); ` +
        `to trust it, move it from ${join(this.options.pkiDir, 'rejected')} to ${join(this.options.pkiDir, 'trusted', 'certs')}`
      );
    }
    return message.split('\n')[0];
  }
}
