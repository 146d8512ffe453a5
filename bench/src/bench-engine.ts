// The container engine a benchmark runs against: its CLI (the baseline `run -d`), the driver
// binary the gateway spawns, and how to find and sweep what a run made. The create benchmark
// takes one (docker-create.ts, podman-create.ts); the figures are read the same on both.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run } from './run-command.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Imported by `scripts/engines/docker.sh start` and `podman.sh start`. */
export const BENCH_IMAGE = 'shellgate-test/busybox:1';
/** The Podman API service socket `scripts/engines/podman.sh start` serves. */
const PODMAN_SOCKET = '/run/podman/podman.sock';

export interface BenchEngine {
  /** The driver's name, `[drivers.NAME]`. */
  readonly name: 'docker' | 'podman';
  readonly displayName: string;
  /** The engine's CLI: the baseline `run -d`, and the sweep. */
  readonly cli: string;
  readonly driverBin: string;
  /** Driver settings of this engine beside the benchmark's own (TOML lines). */
  readonly driverConfig: readonly string[];
  /** Why the engine cannot be benchmarked here, or undefined when it can. */
  findMissing(): Promise<string | undefined>;
  /** Removes the run's network (and what the driver keeps with it). */
  removeNetwork(networkName: string): Promise<void>;
}

async function findMissingImage(cli: string, script: string): Promise<string | undefined> {
  const exists = cli === 'podman' ? await run(cli, ['image', 'exists', BENCH_IMAGE], 20_000) : await run(cli, ['image', 'inspect', BENCH_IMAGE], 20_000);
  return exists.code === 0 ? undefined : `skipped: image ${BENCH_IMAGE} missing (run ${script} start)`;
}

export const DOCKER_BENCH_ENGINE: BenchEngine = {
  name: 'docker',
  displayName: 'Docker',
  cli: 'docker',
  driverBin: path.join(REPO_ROOT, 'packages', 'driver-docker', 'dist', 'main.js'),
  driverConfig: [],
  findMissing: async () => {
    if ((await run('docker', ['info', '--format', '{{.ServerVersion}}'], 20_000)).code !== 0) return 'skipped: no Docker engine (run scripts/engines/docker.sh start)';
    return findMissingImage('docker', 'scripts/engines/docker.sh');
  },
  removeNetwork: async (networkName) => void (await run('docker', ['network', 'rm', networkName])),
};

export const PODMAN_BENCH_ENGINE: BenchEngine = {
  name: 'podman',
  displayName: 'Podman',
  cli: 'podman',
  driverBin: path.join(REPO_ROOT, 'packages', 'driver-podman', 'dist', 'main.js'),
  driverConfig: [`podman_socket = ${JSON.stringify(`unix://${PODMAN_SOCKET}`)}`],
  findMissing: async () => {
    const ping = await run('curl', ['-s', '--max-time', '10', '--unix-socket', PODMAN_SOCKET, 'http://d/_ping'], 20_000);
    if (ping.stdout.trim() !== 'OK') return 'skipped: no Podman API service (run scripts/engines/podman.sh start)';
    return findMissingImage('podman', 'scripts/engines/podman.sh');
  },
  // The driver holds each network's bridge up with an anchor pod named after it.
  removeNetwork: async (networkName) => {
    await run('podman', ['pod', 'rm', '-f', `${networkName}-anchor`]);
    await run('podman', ['network', 'rm', networkName]);
  },
};
