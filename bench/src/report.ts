import { pathToFileURL } from 'node:url';

import { isTerminating } from '@shellgate/driver-sdk/testing';

/** The value at quantile `q` (0..1) of `samples`, nearest-rank; NaN when empty. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Milliseconds elapsed since `startNs` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

export function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

export function formatRatio(value: number, baseline: number): string {
  return baseline > 0 ? `${(value / baseline).toFixed(1)}×` : 'n/a';
}

/** Prints rows as an aligned table; the first row is the header. */
export function printTable(title: string, rows: readonly (readonly string[])[]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  process.stdout.write(`\n${title}\n`);
  rows.forEach((row, index) => {
    process.stdout.write(`  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
    if (index === 0) process.stdout.write(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  });
}

/** One PASS/MISS line per target. A benchmark reports; it never fails the run. */
export function printVerdict(what: string, measured: string, isMet: boolean, target: string): void {
  process.stdout.write(`  ${isMet ? 'PASS' : 'MISS'}  ${what}: ${measured} (target ${target})\n`);
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

/**
 * Runs one benchmark; a failure is printed, not thrown, because `pnpm bench` is a
 * measurement and exits 0 regardless (issue 2). The failure is still loud in the output.
 */
export async function runBench(name: string, bench: () => Promise<void>): Promise<void> {
  // Stopped with SIGTERM/SIGINT: the cleanups are running and the process exits after them.
  if (isTerminating()) return;
  try {
    await bench();
  } catch (error) {
    process.stdout.write(`\n  ERROR  ${name} did not complete: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
