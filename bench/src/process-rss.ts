import { readFile } from 'node:fs/promises';

async function readStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

/** VmRSS of a process in MB, from /proc (Linux only); NaN when the line is missing. */
export function readRssMb(pid: number): Promise<number> {
  return readStatusMb(pid, 'VmRSS');
}

/** VmHWM, the largest RSS a process has had so far, in MB (Linux only); NaN when missing. */
export function readPeakRssMb(pid: number): Promise<number> {
  return readStatusMb(pid, 'VmHWM');
}

/** Pids of the direct children of `pid` (Linux /proc; empty when the kernel hides them). */
export async function readChildPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter((field) => field !== '').map(Number);
  } catch {
    return [];
  }
}
