import { FAKE_DRIVER_BIN } from './paths.js';

/** A `[drivers.NAME]` table that spawns the SDK's fake driver, with extra TOML lines appended. */
export function fakeDriverTable(name: string, stateDir: string, extraLines: readonly string[] = []): string {
  return [
    `[drivers.${name}]`,
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(FAKE_DRIVER_BIN)}]`,
    'requires_supervisor = false',
    `state_file = ${JSON.stringify(`${stateDir}/${name}-driver-state.json`)}`,
    ...extraLines,
  ].join('\n');
}

/** Whether a process with this pid is still alive. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of running processes whose command line contains `needle`. */
export async function findProcesses(needle: string): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.cmdline.includes(needle)).map((p) => p.pid);
}

/** Pids of the live children of `parentPid`. */
export async function findChildProcesses(parentPid: number): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.ppid === parentPid).map((p) => p.pid);
}

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
}

async function listProcesses(): Promise<ProcessEntry[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const entries: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      // Field 4 of /proc/PID/stat is the parent pid; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      entries.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return entries;
}
