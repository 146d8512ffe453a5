import { readFile } from 'node:fs/promises';

/** VmRSS of a process in MB, from /proc (Linux only); NaN when the line is missing. */
export async function readRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match === null ? Number.NaN : Number(match[1]) / 1024;
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
