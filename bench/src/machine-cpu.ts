import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** CPU time of the whole machine since boot, in clock ticks (Linux /proc/stat). */
export interface MachineCpu {
  readonly busyTicks: number;
  readonly totalTicks: number;
}

export async function readMachineCpu(): Promise<MachineCpu> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal (guest time is already in user)
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = ticks[3]! + ticks[4]!;
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busyTicks: total - idle, totalTicks: total };
}

/** How many cores were busy on average between two readings (0 to availableParallelism()). */
export function busyCores(before: MachineCpu, after: MachineCpu): number {
  const total = after.totalTicks - before.totalTicks;
  return total <= 0 ? Number.NaN : ((after.busyTicks - before.busyTicks) / total) * availableParallelism();
}
