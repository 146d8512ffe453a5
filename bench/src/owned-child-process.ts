// Every process a benchmark spawns is stopped when the benchmark is told to stop (SIGTERM,
// SIGINT: see addTerminationCleanup), and children that can watch their parent also go when
// the benchmark is killed with SIGKILL, where no cleanup can run.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { PARENT_WATCH_ENV, PARENT_WATCH_STDIN } from '@shellgate/driver-sdk';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';

const DEFAULT_GRACE_MS = 5_000;

/**
 * Node flags for a bare node that idles until stopped, the baseline beside a driver or a
 * gateway. It leaves when its parent is gone by polling its parent pid, not by reading a
 * pipe, so it stays as bare as the baseline must be.
 */
export const IDLE_NODE_ARGS: readonly string[] = ['-e', 'const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.exit(); }, 1e3)'];

/**
 * `env` plus SHELLGATE_PARENT_WATCH=stdin, for a gateway or driver child spawned with a stdin
 * pipe (stdio[0] 'pipe') this process holds: the child shuts down when this process dies,
 * SIGKILL included.
 */
export function withParentWatch(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [PARENT_WATCH_ENV]: PARENT_WATCH_STDIN };
}

/** Registers `child` to be stopped if this process gets SIGTERM or SIGINT before it exits. */
export function ownChildProcess<T extends ChildProcess>(child: T, graceMs = DEFAULT_GRACE_MS): T {
  const cleanup = addTerminationCleanup(() => stopChildProcess(child, graceMs));
  child.once('exit', () => cleanup.forget());
  // A spawn that failed never exits.
  child.once('error', () => {
    if (child.pid === undefined) cleanup.forget();
  });
  return child;
}

/** SIGTERM, up to `graceMs`, then SIGKILL; resolves once it has exited. Idempotent. */
export async function stopChildProcess(child: ChildProcess, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
