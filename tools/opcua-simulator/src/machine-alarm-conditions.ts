import {
  type Namespace,
  NodeId,
  type UAAlarmConditionEx,
  type UAObject,
  type UAShelvedStateMachineEx,
} from 'node-opcua';
import type { MachineCondition } from './machine-condition';

/**
 * The OPC UA side of the machines' alarm conditions: one AlarmConditionType node per machine at
 * `ns=1;s=<line>.<machine>.Alarm`, in the folder `<line>.Alarms`, with the machine object as its
 * ConditionSource (SourceNode / SourceName) and the machine a notifier of the Server object, so its
 * events reach a subscription on the Server and ConditionRefresh finds it.
 *
 * Every change is shown from the machine's `MachineCondition` by one `show`, which also rebuilds a
 * condition after a server restart with its activation time: a rebooted PLC that still has the
 * alarm sends it again, but as the same episode.
 */
export class MachineAlarmConditions {
  private readonly nodes = new Map<string, UAAlarmConditionEx>();

  /** `ns=1;s=Line1.M01.Alarm` */
  static nodeId(line: string, machine: string): string {
    return `ns=1;s=${line}.${machine}.Alarm`;
  }

  constructor(
    private readonly namespace: Namespace,
    private readonly line: string,
    lineObject: UAObject,
  ) {
    this.folder = namespace.addObject({
      componentOf: lineObject,
      browseName: 'Alarms',
      nodeId: `s=${line}.Alarms`,
      typeDefinition: 'FolderType',
    });
  }

  private readonly folder: UAObject;

  /** Adds the condition of one machine (whose object must be a notifier of the Server) and shows its state. */
  add(machine: string, source: UAObject, condition: MachineCondition): void {
    const alarm = this.namespace.instantiateAlarmCondition('AlarmConditionType', {
      browseName: `${machine}Alarm`,
      nodeId: `s=${this.line}.${machine}.Alarm`,
      organizedBy: this.folder,
      conditionSource: source,
      conditionName: `${machine}.Alarm`,
      // Driven by the control API, not by a variable of the address space.
      inputNode: NodeId.nullNodeId,
      optionals: ['SuppressedState', 'ShelvingState'],
    });
    // node-opcua sets SourceName to the source's browse name with its namespace ("1:M01"); Part 9
    // means the name an operator reads, the display name.
    alarm.setSourceName(machine);
    this.nodes.set(machine, alarm);
    // A condition never raised has nothing to show; any other state is shown as it is.
    if (condition.changedAt.getTime() > 0) this.show(machine, condition);
  }

  /**
   * Brings the node to the machine's condition state and raises one condition event (a new EventId)
   * with Time = when the state last changed. Retain follows Part 9 (active, or inactive and
   * waiting for an acknowledgment); node-opcua's own Acknowledge sets Retain false even while the
   * alarm is active, which would hide an active alarm from ConditionRefresh, so it is not used here.
   */
  show(machine: string, condition: MachineCondition): void {
    const alarm = this.nodes.get(machine);
    if (!alarm) return;
    // The implementation takes the transition time; the published interface does not declare it.
    const branch = alarm.currentBranch() as ReturnType<UAAlarmConditionEx['currentBranch']> & {
      setActiveState(active: boolean, at: { transitionTime: Date; effectiveTransitionTime: Date }): void;
    };
    const since = condition.activeSince ?? condition.changedAt;
    branch.setActiveState(condition.active, { transitionTime: since, effectiveTransitionTime: since });
    if (branch.getAckedState() !== condition.acked) branch.setAckedState(condition.acked);
    branch.setSuppressedState(condition.suppressed);
    const shelving = alarm.shelvingState as UAShelvedStateMachineEx | undefined;
    const shelved = condition.shelved ? 'OneShotShelved' : 'Unshelved';
    if (shelving && shelving.getCurrentState() !== shelved) shelving.setState(shelved);
    alarm.raiseNewCondition({
      severity: condition.severity,
      message: condition.message || 'Back to normal',
      retain: condition.retain,
      time: condition.changedAt,
    });
  }
}
