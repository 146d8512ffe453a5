// A command run to completion for the Docker benchmarks (docker, the CLI, the bundle tool).
import { execFile } from 'node:child_process';

import { ownChildProcess } from './owned-child-process.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file args`; never rejects for a non-zero exit. */
export function run(file: string, args: readonly string[], timeoutMs = 180_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
    // A `docker run` or a CLI create in flight when the benchmark is stopped ends before the sweep.
    ownChildProcess(child);
  });
}

/** Runs `file args`; rejects with the command and its stderr when it fails, else resolves with its trimmed stdout. */
export async function runOrThrow(file: string, args: readonly string[]): Promise<string> {
  const result = await run(file, args);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}
