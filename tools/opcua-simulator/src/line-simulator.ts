import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  type Namespace,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  type UAObject,
  type UAVariable,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import {
  DEFAULT_MACHINE_SETTINGS,
  MACHINERY_ITEM_STATES,
  type MachineAlarm,
  MachineModel,
  type MachineryItemState,
  type MachineSettings,
  seededRandom,
} from './machine-model';
import { MachineAlarmConditions } from './machine-alarm-conditions';
import { TagLoad } from './tag-load';
import { lineEndpointUrl, lineNodeId } from './counting-mapping';

export interface LineSimulatorOptions {
  port: number;
  /** PKI folder (server certificate, trusted and rejected clients) lives here. */
  dataDir: string;
  machines?: number;
  seed?: number;
  /** How often every machine advances one step. */
  tickMs?: number;
  line?: string;
  machine?: Partial<MachineSettings>;
  /** When set, this user/password identity is accepted… */
  user?: { name: string; password: string };
  /** …besides anonymous, unless this is false (a server that requires a user). */
  allowAnonymous?: boolean;
  /**
   * X.509 user certificates are accepted when trusted in this PKI folder (`trusted/certs`); an
   * unknown one is refused and kept in its `rejected/`. Absent: the simulator's default (accepted).
   */
  userCertificatesDir?: string;
  /** Bulk Double tags for benchmarks, under `<line>.Load` (see TagLoad). */
  loadTags?: number;
}

/** The OPC UA variables of one machine, by the name they have under the machine's object. */
const SIGNALS = {
  State: DataType.Int32,
  StateName: DataType.String,
  GoodParts: DataType.UInt32,
  ScrapParts: DataType.UInt32,
  Temperature: DataType.Double,
  AlarmActive: DataType.Boolean,
  AlarmCode: DataType.String,
  AlarmSeverity: DataType.UInt16,
  AlarmMessage: DataType.String,
  // What other PLCs expose: a Boolean "running" bit, and a 64-bit part counter.
  Running: DataType.Boolean,
  GoodParts64: DataType.UInt64,
} as const;

/** GoodParts64 counts from 2^40, so it holds a value no 32-bit type can. */
export const GOOD_PARTS_64_OFFSET = 2 ** 40;
type Signal = keyof typeof SIGNALS;

function signalValues(m: MachineModel): Record<Signal, number | string | boolean> {
  return {
    State: MACHINERY_ITEM_STATES.indexOf(m.state),
    StateName: m.state,
    GoodParts: m.goodCount,
    ScrapParts: m.scrapCount,
    Temperature: m.temperature,
    AlarmActive: m.alarm !== null,
    AlarmCode: m.alarm?.code ?? '',
    AlarmSeverity: m.alarm?.severity ?? 0,
    AlarmMessage: m.alarm?.message ?? '',
    Running: m.state === 'Executing',
    GoodParts64: GOOD_PARTS_64_OFFSET + m.goodCount,
  };
}

/** A signal's value as a Variant; 64-bit integers travel as [high, low] 32-bit words. */
function variantOf(signal: Signal, value: number | string | boolean): Variant {
  const dataType = SIGNALS[signal];
  if (dataType !== DataType.UInt64) return new Variant({ dataType, value });
  const n = value as number;
  return new Variant({
    dataType,
    arrayType: VariantArrayType.Scalar,
    value: [Math.floor(n / 2 ** 32), n % 2 ** 32],
  });
}

/**
 * A production line of simulated machines behind a real node-opcua server: test equipment and the
 * demo's PLC. Each machine `M01`, `M02`, … has the variables of `SIGNALS` at
 * `ns=1;s=<line>.<machine>.<signal>`. Values change by exception (only when they change), with
 * source timestamps, so subscriptions with sampling interval 0 see every change. The same seed gives
 * the same line. Security: None, or Sign / SignAndEncrypt with Basic256Sha256.
 */
export class LineSimulator {
  readonly machines: MachineModel[];
  /** Bulk tags for benchmarks; drive them with `load.drive(changesPerSecond)`. */
  readonly load: TagLoad;
  private readonly line: string;
  private server?: OPCUAServer;
  private certificates?: OPCUACertificateManager;
  private variables = new Map<string, UAVariable>();
  /** The machines' alarm conditions in the running server's address space. */
  private conditions?: MachineAlarmConditions;
  private timer?: NodeJS.Timeout;
  private lastPushed = new Map<string, number | string | boolean>();

  constructor(private readonly options: LineSimulatorOptions) {
    const random = seededRandom(options.seed ?? 1);
    const settings = { ...DEFAULT_MACHINE_SETTINGS, ...options.machine };
    this.line = options.line ?? 'Line1';
    this.machines = Array.from(
      { length: options.machines ?? 3 },
      (_, i) => new MachineModel(`M${String(i + 1).padStart(2, '0')}`, random, settings),
    );
    this.load = new TagLoad(options.loadTags ?? 0);
  }

  get endpointUrl(): string {
    return lineEndpointUrl(this.options.port);
  }

  /** `ns=1;s=Line1.M01.GoodParts` */
  nodeId(machine: string, signal: Signal): string {
    return lineNodeId(this.line, machine, signal);
  }

  async start(): Promise<void> {
    this.certificates = new OPCUACertificateManager({
      rootFolder: join(this.options.dataDir, 'pki'),
      automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
      port: this.options.port,
      // Clients on this machine connect to 127.0.0.1; advertise it besides the host name.
      alternateHostname: ['127.0.0.1'],
      resourcePath: '/UA/PlantbridgeLine',
      buildInfo: { productName: 'Plantbridge line simulator', buildNumber: '1', buildDate: new Date(0) },
      serverCertificateManager: this.certificates,
      ...(this.options.userCertificatesDir
        ? {
            userCertificateManager: new OPCUACertificateManager({
              rootFolder: this.options.userCertificatesDir,
              automaticallyAcceptUnknownCertificate: false,
            }),
          }
        : {}),
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      allowAnonymous: this.options.allowAnonymous ?? true,
      // Advertising 0 makes exception-based items report every change instead of coalescing the
      // changes of each 50 ms window: what a test or a benchmark that counts changes needs.
      serverCapabilities: { minSupportedSampleRate: 0 },
      userManager: {
        isValidUser: (name: string, password: string) =>
          this.options.user !== undefined &&
          name === this.options.user.name &&
          password === this.options.user.password,
      },
    });
    await server.initialize();
    this.buildAddressSpace(server);
    await server.start();
    this.server = server;
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
  }

  /** Stops the server; the machines keep their counters for a `start()` after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.load.stop();
    const server = this.server;
    this.server = undefined;
    this.variables = new Map();
    this.lastPushed = new Map();
    this.conditions = undefined;
    await server?.shutdown(0);
    await this.certificates?.dispose();
    this.certificates = undefined;
  }

  /** A server restart as after a PLC reboot: sessions and subscriptions are gone, counters are not. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  /** Subscriptions the server holds now (a client that re-subscribes twice shows up here). */
  subscriptionCount(): number {
    return this.server?.currentSubscriptionCount ?? 0;
  }

  machine(id: string): MachineModel {
    const found = this.machines.find((m) => m.id === id);
    if (!found)
      throw new RangeError(`no machine ${id}; this line has ${this.machines.map((m) => m.id).join(', ')}`);
    return found;
  }

  setState(id: string, state: MachineryItemState): void {
    this.machine(id).state = state;
    this.push(this.machine(id));
  }

  raiseAlarm(id: string, alarm: MachineAlarm): void {
    this.machine(id).alarm = alarm;
    this.push(this.machine(id));
  }

  clearAlarm(id: string): void {
    this.machine(id).alarm = null;
    this.push(this.machine(id));
  }

  /** `ns=1;s=Line1.M01.Alarm`: the machine's alarm condition (its ConditionId). */
  conditionNodeId(machine: string): string {
    return MachineAlarmConditions.nodeId(this.line, machine);
  }

  /** Activates the machine's alarm condition (a new episode), or changes severity and message while active. */
  raiseCondition(id: string, alarm: { severity: number; message: string }): void {
    this.machine(id).condition.raise(alarm);
    this.showCondition(id);
  }

  /** The condition returns to normal; it stays retained until acknowledged. */
  clearCondition(id: string): void {
    if (this.machine(id).condition.clear()) this.showCondition(id);
  }

  /** An operator acknowledges the condition, as at the HMI. */
  acknowledgeCondition(id: string): void {
    if (this.machine(id).condition.acknowledge()) this.showCondition(id);
  }

  suppressCondition(id: string, suppressed: boolean): void {
    this.machine(id).condition.setSuppressed(suppressed);
    this.showCondition(id);
  }

  /** One-shot shelving (until unshelved here). */
  shelveCondition(id: string, shelved: boolean): void {
    this.machine(id).condition.setShelved(shelved);
    this.showCondition(id);
  }

  private showCondition(id: string): void {
    this.conditions?.show(id, this.machine(id).condition);
  }

  /** Sets a counter, e.g. 0 for an operator's reset or near the maximum to provoke a rollover. */
  setCounter(id: string, kind: 'good' | 'scrap', value: number): void {
    this.machine(id).setCounter(kind, value);
    this.push(this.machine(id));
  }

  /** Advances every machine one step and publishes what changed (also used by tests without timers). */
  tick(): void {
    for (const machine of this.machines) {
      machine.step();
      this.push(machine);
    }
  }

  private buildAddressSpace(server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA server has no address space');
    // node-opcua's alarms need it: ConditionRefresh, Acknowledge, and the other condition methods.
    addressSpace.installAlarmsAndConditionsService();
    const namespace = addressSpace.getOwnNamespace();
    const line = namespace.addObject({
      organizedBy: addressSpace.rootFolder.objects,
      browseName: this.line,
      nodeId: `s=${this.line}`,
    });
    this.conditions = new MachineAlarmConditions(namespace, this.line, line);
    for (const machine of this.machines) this.addMachine(namespace, line, machine);
    if (this.load.count) this.load.build(namespace, line, this.line);
  }

  /** `ns=1;s=Line1.Load.T00001` for index 0. */
  loadNodeId(index: number): string {
    return TagLoad.nodeId(this.line, index);
  }

  private addMachine(namespace: Namespace, line: UAObject, machine: MachineModel): void {
    const object = namespace.addObject({
      componentOf: line,
      browseName: machine.id,
      nodeId: `s=${this.line}.${machine.id}`,
      // An event source of the Server (and a notifier itself): its conditions' events reach
      // subscriptions on either, and the Server's ConditionRefresh finds them.
      eventSourceOf: namespace.addressSpace.rootFolder.objects.server,
    });
    this.conditions?.add(machine.id, object, machine.condition);
    const values = signalValues(machine);
    for (const [signal, dataType] of Object.entries(SIGNALS) as Array<[Signal, DataType]>) {
      const variable = namespace.addVariable({
        componentOf: object,
        browseName: signal,
        nodeId: `s=${this.line}.${machine.id}.${signal}`,
        dataType,
        minimumSamplingInterval: 0,
        value: variantOf(signal, values[signal]),
      });
      this.variables.set(`${machine.id}.${signal}`, variable);
    }
  }

  /** Exception-based: only values that changed are written, with the change time as source timestamp. */
  private push(machine: MachineModel): void {
    if (!this.server) return;
    const now = new Date();
    for (const [signal, value] of Object.entries(signalValues(machine)) as Array<
      [Signal, number | string | boolean]
    >) {
      const key = `${machine.id}.${signal}`;
      if (this.lastPushed.get(key) === value) continue;
      this.lastPushed.set(key, value);
      this.variables.get(key)?.setValueFromSource(variantOf(signal, value), StatusCodes.Good, now);
    }
  }
}
