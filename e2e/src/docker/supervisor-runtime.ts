// The supervisor runtime bundle, built the way an operator builds it
// (`shellgate-supervisor-bundle --out DIR`), once per test process.
import { execFileSync } from 'node:child_process';
import { SUPERVISOR_BUNDLE_BIN } from '../harness/paths.js';

/** Builds the bundle into `outDir` and returns it; the tool's output shows on failure. */
export function buildSupervisorRuntime(outDir: string): string {
  execFileSync(process.execPath, [SUPERVISOR_BUNDLE_BIN, '--out', outDir], { stdio: 'pipe', timeout: 120_000 });
  return outDir;
}
