// Sandbox create on a real Podman service (issue 11), with the container create benchmark
// (container-create.ts): create → Ready through the gateway (API and CLI) against `podman run
// -d` of the same image and command, one and 20 at once, and the driver's RSS idle and with
// 100 sandboxes. Alone: node bench/dist/podman-create.js (needs `bash scripts/engines/podman.sh start`).
import { PODMAN_BENCH_ENGINE } from './bench-engine.js';
import { runContainerCreateBench } from './container-create.js';
import { isMainModule, runBench } from './report.js';

/** Runs the Podman create benchmark against issue 11's targets. */
export async function runPodmanCreateBench(): Promise<void> {
  await runContainerCreateBench(PODMAN_BENCH_ENGINE, { sequentialApiRatio: 1.5, concurrentApiRatio: 1.6, idleRssMb: 60, fleetRssMb: 80 });
}

if (isMainModule(import.meta.url)) {
  await runBench('podman create benchmark', runPodmanCreateBench);
}
