/**
 * A machine's alarm condition (OPC UA Part 9) as its PLC keeps it, apart from any OPC UA server: the
 * simulator's server shows it as an AlarmConditionType node and rebuilds it from here after a
 * restart, so an alarm stays active, with its activation time, through a PLC reboot.
 */
export class MachineCondition {
  active = false;
  /** Nothing to acknowledge until the condition is first raised. */
  acked = true;
  severity = 500;
  message = '';
  /** When the condition became active: the start of its episode; null while inactive. */
  activeSince: Date | null = null;
  /** When it last changed state (raised, cleared, acknowledged, suppressed, shelved). */
  changedAt = new Date(0);
  suppressed = false;
  shelved = false;

  /** Becomes active (a new episode) or, when already active, takes the new severity and message. */
  raise(alarm: { severity: number; message: string }, now = new Date()): void {
    if (!Number.isInteger(alarm.severity) || alarm.severity < 1 || alarm.severity > 1000) {
      throw new RangeError('a condition severity is a whole number from 1 to 1000');
    }
    if (!this.active) {
      this.active = true;
      this.acked = false;
      this.activeSince = now;
    }
    this.severity = alarm.severity;
    this.message = alarm.message;
    this.changedAt = now;
  }

  /** Back to normal; it stays unacknowledged (and retained) until someone acknowledges it. */
  clear(now = new Date()): boolean {
    if (!this.active) return false;
    this.active = false;
    this.activeSince = null;
    this.changedAt = now;
    return true;
  }

  acknowledge(now = new Date()): boolean {
    if (this.acked) return false;
    this.acked = true;
    this.changedAt = now;
    return true;
  }

  setSuppressed(suppressed: boolean, now = new Date()): void {
    this.suppressed = suppressed;
    this.changedAt = now;
  }

  setShelved(shelved: boolean, now = new Date()): void {
    this.shelved = shelved;
    this.changedAt = now;
  }

  /** Retain (Part 9): interesting to a client while active or waiting for an acknowledgment. */
  get retain(): boolean {
    return this.active || !this.acked;
  }

  toJSON() {
    const { active, acked, severity, message, activeSince, suppressed, shelved } = this;
    return { active, acked, severity, message, activeSince, suppressed, shelved };
  }
}
