import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ); 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces, start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine was busy so far (every core, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / TICKS_PER_SECOND;
}

/** Peak resident memory of a process in MB (VmHWM). */
export function peakRssMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

/** Resident memory of a process now, in MB (VmRSS). */
export function rssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * CPU used over a stretch of wall time, in cores (1.0 = one core busy): by one process, or by the
 * whole machine when no pid is given (the service, NATS, simulators and the load generator share it).
 */
export class CpuMeter {
  private startCpu = 0;
  private startWall = 0;

  constructor(private readonly pid?: number) {}

  start(): void {
    this.startCpu = this.busySeconds();
    this.startWall = performance.now();
  }

  cores(): number {
    return (this.busySeconds() - this.startCpu) / ((performance.now() - this.startWall) / 1000);
  }

  private busySeconds(): number {
    return this.pid === undefined ? machineBusySeconds() : cpuSeconds(this.pid);
  }
}
