import { spawn } from 'node:child_process';
import type { ConformanceCheck } from './conformance-check.js';
import { expect } from './conformance-context.js';

const STDERR_TAIL_BYTES = 2_000;

/**
 * Runs `command` through `sh -c` and resolves when it exits 0. It waits for the shell's
 * exit, not for its output streams: a command that starts the new driver in the
 * background leaves that driver holding them.
 */
export function runShellCommand(command: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      child.stderr.destroy();
      if (code === 0) return resolve();
      const how = signal === null ? `exited ${code}` : `was killed by ${signal} (limit ${timeoutMs} ms)`;
      reject(new Error(`--restart-cmd ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`));
    });
  });
}

/** Restarts the driver with `--restart-cmd`, reconnects, and expects every sandbox back. */
export const restartCheck: ConformanceCheck = {
  name: 'restart-keeps-sandboxes',
  description: 'after --restart-cmd restarts the driver it answers again and lists every sandbox',
  skipReason: (ctx) => {
    if (ctx.restartCommand === undefined) return 'no --restart-cmd given';
    return ctx.claims.restartKeepsSandboxes ? undefined : 'restart_keeps_sandboxes is not claimed';
  },
  async run(ctx) {
    await ctx.create('restart');
    const expected = [...ctx.liveSandboxIds];
    await ctx.closeWatches();
    await runShellCommand(ctx.restartCommand ?? '', ctx.timeoutMs);
    await ctx.reconnect();
    const listed = new Set((await ctx.client.listSandboxes()).map((sandbox) => sandbox.id));
    const missing = expected.filter((id) => !listed.has(id));
    expect(missing.length === 0, `after the restart ListSandboxes misses ${missing.length} of ${expected.length}: ${missing.join(', ')}`);
  },
};
