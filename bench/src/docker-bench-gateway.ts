// The real `shellgate-gateway` spawning the real docker driver, for the Docker benchmarks:
// the local test image and never a pull (see gateway-process.ts for the rest); and the names
// and labels of one benchmark run, by which it removes what it made.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchGateway } from './gateway-process.js';
import { run, runOrThrow } from './run-command.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCKER_DRIVER_BIN = path.join(REPO_ROOT, 'packages', 'driver-docker', 'dist', 'main.js');
export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
/** Built by `scripts/engines/docker.sh start`. */
export const BENCH_IMAGE = 'shellgate-test/busybox:1';

export const SUPERVISOR_BUNDLE_BIN = path.join(REPO_ROOT, 'packages', 'supervisor', 'dist', 'bundle-main.js');

/** Our run label key, the one `scripts/engines/docker.sh sweep` removes by. */
const RUN_LABEL_KEY = 'dev.shellgate.e2e-run';

/** What one Docker benchmark run makes carries these, so it can be found and removed. */
export interface DockerBenchRun {
  readonly runId: string;
  /** `key=value` for `docker run --label` and `docker ps --filter label=`. */
  readonly runLabel: string;
  /** The driver's network; every sandbox container joins it. */
  readonly networkName: string;
}

export function newDockerBenchRun(): DockerBenchRun {
  const runId = randomBytes(3).toString('hex');
  // docker.sh sweep recognises the sg-e2e- prefix should the run die before its own sweep.
  return { runId, runLabel: `${RUN_LABEL_KEY}=bench-${runId}`, networkName: `sg-e2e-bench-${runId}` };
}

/** One line saying what the run makes and how to remove it by hand. */
export function describeDockerBenchRun(name: string, benchRun: DockerBenchRun): string {
  return `\n${name}: run ${benchRun.runId}, sandboxes on network ${benchRun.networkName}, baseline containers labelled ${benchRun.runLabel}\n`;
}

/** Removes every container of the run (its label or its network), then the network. */
export async function sweepDockerBenchRun(benchRun: DockerBenchRun): Promise<void> {
  const labelled = (await run('docker', ['ps', '-aq', '--filter', `label=${benchRun.runLabel}`])).stdout.split('\n');
  const attached = (await run('docker', ['ps', '-aq', '--filter', `network=${benchRun.networkName}`])).stdout.split('\n');
  const ids = [...new Set([...labelled, ...attached])].filter((id) => id !== '');
  if (ids.length > 0) await runOrThrow('docker', ['rm', '-f', '-v', ...ids]);
  await run('docker', ['network', 'rm', benchRun.networkName]);
}

export interface DockerBenchGatewayOptions {
  /**
   * A supervisor runtime bundle to inject: sandboxes are then Ready only once their supervisor
   * has dialed the gateway. Without one, backend Running counts as Ready.
   */
  readonly supervisorRuntimeDir?: string;
}

/** A gateway whose one driver is the docker driver on its own network `networkName`. */
export async function startDockerBenchGateway(networkName: string, options: DockerBenchGatewayOptions = {}): Promise<BenchGateway> {
  return BenchGateway.start({
    readyTimeoutMs: 30_000,
    stopGraceMs: 30_000,
    driverTable: (stateDir) => [
      '[drivers.docker]',
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
      ...(options.supervisorRuntimeDir === undefined
        ? ['requires_supervisor = false', 'inject_supervisor = false']
        : [`supervisor_runtime_dir = ${JSON.stringify(options.supervisorRuntimeDir)}`]),
      `default_image = ${JSON.stringify(BENCH_IMAGE)}`,
      'image_pull_policy = "Never"',
      `network_name = ${JSON.stringify(networkName)}`,
      `state_dir = ${JSON.stringify(path.join(stateDir, 'driver-docker'))}`,
      'stop_timeout_seconds = 1',
    ],
  });
}
