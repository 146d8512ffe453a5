// The real `shellgate-gateway` spawning a real container driver (Docker's or Podman's), for
// the engine benchmarks: the local test image and never a pull (see gateway-process.ts for the
// rest); and the names and labels of one benchmark run, by which it removes what it made.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_IMAGE } from './bench-engine.js';
import type { BenchEngine } from './bench-engine.js';
import { BenchGateway } from './gateway-process.js';
import { run } from './run-command.js';

export { BENCH_IMAGE } from './bench-engine.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');

export const SUPERVISOR_BUNDLE_BIN = path.join(REPO_ROOT, 'packages', 'supervisor', 'dist', 'bundle-main.js');

/** Our run label key, the one the engine scripts' `sweep` removes by. */
const RUN_LABEL_KEY = 'dev.shellgate.e2e-run';

/** What one engine benchmark run makes carries these, so it can be found and removed. */
export interface BenchRun {
  readonly runId: string;
  /** `key=value` for `docker run --label` and `docker ps --filter label=` (podman alike). */
  readonly runLabel: string;
  /** The driver's network; every sandbox container joins it. */
  readonly networkName: string;
}

export function newBenchRun(): BenchRun {
  const runId = randomBytes(3).toString('hex');
  // The engine scripts' sweep recognises the sg-e2e- prefix should the run die before its own sweep.
  return { runId, runLabel: `${RUN_LABEL_KEY}=bench-${runId}`, networkName: `sg-e2e-bench-${runId}` };
}

/** One line saying what the run makes and how to remove it by hand. */
export function describeBenchRun(name: string, benchRun: BenchRun): string {
  return `\n${name}: run ${benchRun.runId}, sandboxes on network ${benchRun.networkName}, baseline containers labelled ${benchRun.runLabel}\n`;
}

/** Removes every container of the run (its label or its network), then the network. */
export async function sweepBenchRun(engine: BenchEngine, benchRun: BenchRun): Promise<void> {
  const labelled = (await run(engine.cli, ['ps', '-aq', '--filter', `label=${benchRun.runLabel}`])).stdout.split('\n');
  const attached = (await run(engine.cli, ['ps', '-aq', '--filter', `network=${benchRun.networkName}`])).stdout.split('\n');
  const ids = [...new Set([...labelled, ...attached])].filter((id) => id !== '');
  // Podman refuses to remove the anchor pod's infra container alone; removeNetwork removes its pod.
  if (ids.length > 0) await run(engine.cli, ['rm', '-f', '-v', ...ids]);
  await engine.removeNetwork(benchRun.networkName);
}

export interface BenchEngineGatewayOptions {
  /**
   * A supervisor runtime bundle to inject: sandboxes are then Ready only once their supervisor
   * has dialed the gateway. Without one, backend Running counts as Ready.
   */
  readonly supervisorRuntimeDir?: string;
}

/** A gateway whose one driver is `engine`'s, on its own network `networkName`. */
export async function startBenchEngineGateway(engine: BenchEngine, networkName: string, options: BenchEngineGatewayOptions = {}): Promise<BenchGateway> {
  return BenchGateway.start({
    readyTimeoutMs: 30_000,
    stopGraceMs: 30_000,
    driverTable: (stateDir) => [
      `[drivers.${engine.name}]`,
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(engine.driverBin)}]`,
      ...engine.driverConfig,
      ...(options.supervisorRuntimeDir === undefined
        ? ['requires_supervisor = false', 'inject_supervisor = false']
        : [`supervisor_runtime_dir = ${JSON.stringify(options.supervisorRuntimeDir)}`]),
      `default_image = ${JSON.stringify(BENCH_IMAGE)}`,
      'image_pull_policy = "Never"',
      `network_name = ${JSON.stringify(networkName)}`,
      `state_dir = ${JSON.stringify(path.join(stateDir, `driver-${engine.name}`))}`,
      'stop_timeout_seconds = 1',
    ],
  });
}
