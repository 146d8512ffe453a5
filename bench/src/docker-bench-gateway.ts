// The real `shellgate-gateway` spawning the real docker driver, for the Docker benchmarks:
// the local test image and never a pull (see gateway-process.ts for the rest).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchGateway } from './gateway-process.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCKER_DRIVER_BIN = path.join(REPO_ROOT, 'packages', 'driver-docker', 'dist', 'main.js');
export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
/** Built by `scripts/engines/docker.sh start`. */
export const BENCH_IMAGE = 'shellgate-test/busybox:1';

export const SUPERVISOR_BUNDLE_BIN = path.join(REPO_ROOT, 'packages', 'supervisor', 'dist', 'bundle-main.js');

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
