import { readFileSync } from 'node:fs';

/**
 * A process as the kernel knows it: its pid plus its start time in clock ticks since boot
 * (`/proc/PID/stat` field 22), so a pid reused by another process after a restart of the
 * driver is never mistaken for our QEMU.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
}

/** The start time of `pid`, or undefined when it is gone (or a zombie nobody reaped yet). */
export function readStartTicks(pid: number, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): number | undefined {
  let stat: string;
  try {
    stat = readFile(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields restart after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Whether `identity` is still that very process. */
export function isSameProcessAlive(identity: ProcessIdentity, readFile?: (path: string) => string): boolean {
  return readStartTicks(identity.pid, readFile) === identity.startTicks;
}
