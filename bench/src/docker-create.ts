// Sandbox create on a real Docker engine (issue 4), with the container create benchmark
// (container-create.ts): `shellgate sandbox create --wait` against `docker run -d` of the same
// image and command, one and 20 at once, and the driver's RSS with 100 sandboxes.
// Alone: node bench/dist/docker-create.js (needs `bash scripts/engines/docker.sh start`).
import { DOCKER_BENCH_ENGINE } from './bench-engine.js';
import { runContainerCreateBench } from './container-create.js';
import { isMainModule, runBench } from './report.js';

/** Runs the Docker create benchmark against issue 4's targets. */
export async function runDockerCreateBench(): Promise<void> {
  await runContainerCreateBench(DOCKER_BENCH_ENGINE, { sequentialCliRatio: 1.15, concurrentCliRatio: 1.3, fleetRssMb: 80 });
}

if (isMainModule(import.meta.url)) {
  await runBench('docker create benchmark', runDockerCreateBench);
}
