import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCertificate } from 'node-opcua-crypto';
import {
  AttributeIds,
  type ClientSession,
  ClientSubscription,
  type DataValue,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import type { EndpointMapping, TagMappingEntry } from '../mapping/tag-mapping';
import { AddressSpaceBrowser, BrowseError, type BrowsePage } from './address-space-browser';
import { describeCertificateRefusal } from './certificate-refusal';
import type { EventSubscriber } from './condition-events';
import { sampleTime, type TimestampProblem } from './sample-time';
import { readVariant, type TagValue, unusableFor } from './tag-values';

/** One value change of a mapped tag, as the server reported it, its value and time made usable. */
export interface TagSample {
  tag: TagMappingEntry;
  value: TagValue;
  /** The PLC's timestamp; the server's when that one is missing or implausible (sample-time.ts). */
  sourceTimestamp: Date;
  serverTimestamp: Date;
  /** When the value changed, by the endpoint's `timestamps` choice. */
  time: Date;
  /** false: `time` is when the value was read after a (re)subscribe, not when it changed. */
  exactTime: boolean;
}

export type EndpointState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export { BrowseError, type BrowsedReference, type BrowsePage } from './address-space-browser';

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
  /** OPC UA Alarms & Conditions: subscribed after the data items, on every (re)connect. */
  conditions?: EventSubscriber;
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
  /** Node ids not in use, with why: refused by the server, or of a type the tag cannot use. */
  readonly faults = new Map<string, string>();
  /** Samples whose source timestamp was missing or implausible, by problem. */
  readonly timestampProblems = new Map<TimestampProblem, number>();
  private readonly warnedTimestamps = new Set<string>();
  /** The last value of each tag that its mapping had no meaning for (from the normalizer). */
  readonly valueProblems = new Map<string, string>();
  /** Node ids that delivered their first value since the last subscribe. */
  private readonly seen = new Set<string>();
  /** Tag changes received; connections made; how long the last subscription took to create. */
  readonly stats = { samples: 0, connects: 0, subscribeMs: 0 };
  lastError?: string;
  private client?: OPCUAClient;
  private session?: ClientSession;
  /** Browses for the REST API and holds the continuation points it hands out, per session. */
  private browser?: AddressSpaceBrowser;
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
    await this.options.conditions?.monitor(
      subscription,
      this.session,
      () => (this.lastActivity = Date.now()),
    );
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
   * after a reconnect, browse again from the node. The paging itself is the AddressSpaceBrowser's.
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
    if (this.browser?.session !== session) {
      this.browser?.dispose();
      this.browser = new AddressSpaceBrowser(session);
    }
    return 'continuationPoint' in request
      ? this.browser.browseNext(request.continuationPoint)
      : this.browser.browse(request.nodeId, request.maxReferences);
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
    this.seen.clear();
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
    if (!dataValue.statusCode.isGood() || this.faults.has(tag.nodeId)) return;
    this.stats.samples += 1;
    try {
      this.use(tag, dataValue);
    } catch (error) {
      // node-opcua calls this from a promise: a throw would end the process. No value may do that;
      // the tag is refused with what went wrong, and the others go on.
      this.refuse(tag, `its value could not be used: ${(error as Error).message}`);
    }
  }

  private use(tag: TagMappingEntry, dataValue: DataValue): void {
    const read = readVariant(dataValue.value, tag.index);
    if (!read.ok) {
      // A type the tag cannot use is refused for good (until the next subscribe), never dropped silently.
      if (!read.empty) this.refuse(tag, read.reason);
      return;
    }
    const unusable = unusableFor(tag, read.value);
    if (unusable) return this.refuse(tag, unusable);
    const initial = !this.seen.has(tag.nodeId);
    if (initial) this.seen.add(tag.nodeId);
    const time = sampleTime(
      { source: dataValue.sourceTimestamp, server: dataValue.serverTimestamp },
      this.endpoint.timestamps,
      { initial, maxSkewMs: this.endpoint.maxClockSkewMs, now: new Date() },
    );
    if (time.problem) this.timestampProblem(tag, time.problem);
    this.onSample({
      tag,
      value: read.value,
      sourceTimestamp: time.sourceTimestamp,
      serverTimestamp: time.serverTimestamp,
      time: time.time,
      exactTime: time.exact,
    });
  }

  /** Records a tag's value problem; true the first time for that tag (the caller logs it then). */
  noteValueProblem(nodeId: string, message: string): boolean {
    const first = !this.valueProblems.has(nodeId);
    this.valueProblems.set(nodeId, message);
    return first;
  }

  /** Stops using a tag whose values it cannot use, with the reason in status, health and the log. */
  private refuse(tag: TagMappingEntry, reason: string): void {
    this.faults.set(tag.nodeId, reason);
    this.options.logger.warn(`endpoint ${this.endpoint.id}: node ${tag.nodeId} is not used: ${reason}`);
  }

  /** Counted per problem; logged once per tag and problem, so a PLC without a clock does not flood. */
  private timestampProblem(tag: TagMappingEntry, problem: TimestampProblem): void {
    this.timestampProblems.set(problem, (this.timestampProblems.get(problem) ?? 0) + 1);
    const key = `${problem} ${tag.nodeId}`;
    if (this.warnedTimestamps.has(key)) return;
    this.warnedTimestamps.add(key);
    this.options.logger.warn(
      `endpoint ${this.endpoint.id}: node ${tag.nodeId} has ${problem === 'missing-source' ? 'no source timestamp' : 'a source timestamp far from the server clock'}; the server timestamp is used (set "timestamps": "server" on the endpoint if its PLC keeps no clock)`,
    );
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
    // Its continuation points go with the session.
    this.browser?.dispose();
    this.browser = undefined;
    await atMost(TEARDOWN_STEP_MS, subscription?.terminate());
    await atMost(TEARDOWN_STEP_MS, session?.close());
    await atMost(TEARDOWN_STEP_MS, client?.disconnect());
  }

  /** What an operator should read: an untrusted certificate, either side's, says where to trust it. */
  private describe(error: unknown): string {
    const refused = describeCertificateRefusal(
      error,
      { url: this.endpoint.url, secured: this.endpoint.securityMode !== 'None' },
      this.options.pkiDir,
    );
    if (refused) return refused;
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
