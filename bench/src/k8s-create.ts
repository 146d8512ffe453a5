// Sandbox create on the local Kubernetes cluster (issue 13): create → Ready through the real
// gateway and shellgate-driver-k8s (API, supervisor session included) beside a bare Pod of the
// same image created with @kubernetes/client-node in the same namespace to phase Running, one
// at a time and 10 at once; and the driver's RSS idle and holding 100 sandboxes. Figures are
// printed, never asserted. Alone: node bench/dist/k8s-create.js (needs
// `bash scripts/engines/k8s.sh start` and a build).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { ApiCreateTimer } from './docker-api-create.js';
import { CLI_BIN } from './container-bench-gateway.js';
import { BenchGateway } from './gateway-process.js';
import { BarePodTimer, K8S_BENCH_IMAGE, findMissingCluster, prepareBenchCluster, removeBenchNamespace } from './k8s-bench-cluster.js';
import type { BenchCluster } from './k8s-bench-cluster.js';
import { SandboxPodTimeline } from './k8s-pod-timeline.js';
import { readChildPids, readRssMb } from './process-rss.js';
import { formatMs, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';
import { runOrThrow } from './run-command.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DRIVER_BIN = path.join(REPO_ROOT, 'packages', 'driver-k8s', 'dist', 'main.js');
const WARMUP_PAIRS = 2;
const SEQUENTIAL_PAIRS = 10;
const CONCURRENT_CREATES = 10;
const CONCURRENT_ROUNDS = 3;
const FLEET_SIZE = 100;
const FLEET_CONCURRENCY = 10;
const IDLE_MS = 3_000;
const COMMAND = ['sleep', '3600'];
/** Issue 13's targets. */
const TARGETS = { sequentialRatio: 1.3, concurrentRatio: 1.5, fleetRssMb: 80 } as const;

/** A port free on the node address (pods call back there) and on loopback (the primary listener). */
async function findCallbackPort(nodeIp: string): Promise<number> {
  const listenOnce = (host: string, port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
      });
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(nodeIp, 0);
    if (port !== undefined && (await listenOnce('127.0.0.1', port)) !== undefined) return port;
  }
  throw new Error('no port free on both the node address and loopback');
}

function driverTable(cluster: BenchCluster, port: number): string[] {
  return [
    '[drivers.k8s]',
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DRIVER_BIN)}]`,
    `kubeconfig = ${JSON.stringify(cluster.kubeconfig)}`,
    `namespace = ${JSON.stringify(cluster.namespace)}`,
    `gateway_endpoint = ${JSON.stringify(`http://${cluster.nodeIp}:${port}`)}`,
    `gateway_id = ${JSON.stringify(`sg-e2e-bench-${cluster.runId}`)}`,
    `default_image = ${JSON.stringify(K8S_BENCH_IMAGE)}`,
    'image_pull_policy = "Never"',
    `supervisor_runtime_dir = ${JSON.stringify(cluster.bundleDir)}`,
    'stop_grace_seconds = 2',
  ];
}

/** One run: the gateway, the two timers and the sandbox names. */
class K8sCreateRun {
  private nextIndex = 0;

  constructor(
    readonly cluster: BenchCluster,
    readonly gateway: BenchGateway,
    readonly api: ApiCreateTimer,
    readonly bare: BarePodTimer,
    readonly timeline: SandboxPodTimeline,
  ) {}

  newName(): string {
    this.nextIndex += 1;
    return `k${this.cluster.runId}-${this.nextIndex}`;
  }

  async deleteSandboxes(names: readonly string[]): Promise<void> {
    for (let index = 0; index < names.length; index += 25) {
      await runOrThrow(process.execPath, [CLI_BIN, '--gateway', this.gateway.address, '--timeout', '180s', 'sandbox', 'delete', ...names.slice(index, index + 25), '--wait']);
    }
  }

  async driverPid(): Promise<number> {
    for (const pid of await readChildPids(this.gateway.pid)) {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('driver-k8s')) return pid;
    }
    throw new Error(`no k8s driver process among the children of gateway pid ${this.gateway.pid}`);
  }
}

interface Times {
  readonly apiMs: number[];
  readonly bareMs: number[];
}

/** Pairs run interleaved, so drift on the machine hits both sides alike. */
async function measureSequential(run: K8sCreateRun): Promise<Times> {
  const times: Times = { apiMs: [], bareMs: [] };
  for (let pair = 0; pair < WARMUP_PAIRS + SEQUENTIAL_PAIRS; pair++) {
    const name = run.newName();
    if (pair >= WARMUP_PAIRS) run.timeline.begin(name);
    const viaApi = await run.api.timeCreate(name, COMMAND);
    run.timeline.finish(name);
    const bare = await run.bare.timeCreate(COMMAND);
    if (pair >= WARMUP_PAIRS) {
      times.apiMs.push(viaApi);
      times.bareMs.push(bare.ms);
    }
    await run.deleteSandboxes([name]);
    await run.bare.deletePods([bare.name]);
  }
  return times;
}

/** Wall time of `count` calls started at once. */
async function timeBurst(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const startNs = process.hrtime.bigint();
  await Promise.all(Array.from({ length: count }, (_, index) => call(index)));
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

async function measureConcurrent(run: K8sCreateRun): Promise<Times> {
  const times: Times = { apiMs: [], bareMs: [] };
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const names = Array.from({ length: CONCURRENT_CREATES }, () => run.newName());
    const pods: string[] = [];
    times.apiMs.push(await timeBurst(CONCURRENT_CREATES, (index) => run.api.timeCreate(names[index]!, COMMAND)));
    times.bareMs.push(await timeBurst(CONCURRENT_CREATES, async () => pods.push((await run.bare.timeCreate(COMMAND)).name)));
    await run.deleteSandboxes(names);
    await run.bare.deletePods(pods);
  }
  return times;
}

interface FleetRss {
  readonly idleMb: number;
  readonly fleetMb: number;
  readonly fillMs: number;
}

async function measureFleetRss(run: K8sCreateRun, idleMb: number): Promise<FleetRss> {
  const driverPid = await run.driverPid();
  const names = Array.from({ length: FLEET_SIZE }, () => run.newName());
  const startNs = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) await run.api.timeCreate(names[next++]!, COMMAND);
  };
  try {
    await Promise.all(Array.from({ length: FLEET_CONCURRENCY }, worker));
    const fillMs = Number(process.hrtime.bigint() - startNs) / 1e6;
    await sleep(IDLE_MS);
    return { idleMb, fleetMb: await readRssMb(driverPid), fillMs };
  } finally {
    await run.deleteSandboxes(names.slice(0, next));
  }
}

function ratio(times: Times): number {
  return percentile(times.apiMs, 0.5) / percentile(times.bareMs, 0.5);
}

function report(sequential: Times, concurrent: Times, rss: FleetRss, timeline: SandboxPodTimeline): void {
  const row = (label: string, times: Times): string[] => [
    label,
    `${formatMs(percentile(times.apiMs, 0.5))} (max ${formatMs(Math.max(...times.apiMs))})`,
    `${formatMs(percentile(times.bareMs, 0.5))} (max ${formatMs(Math.max(...times.bareMs))})`,
    `${ratio(times).toFixed(2)}×`,
  ];
  printTable(`Sandbox create on the local Kubernetes cluster, p50 (${SEQUENTIAL_PAIRS} interleaved runs after ${WARMUP_PAIRS} warm-up; ${CONCURRENT_ROUNDS} rounds of ${CONCURRENT_CREATES} at once, wall time)`, [
    ['measure', 'gateway API create → Ready', 'bare Pod create → Running (baseline)', 'ratio'],
    row('one create', sequential),
    row(`${CONCURRENT_CREATES} at once`, concurrent),
  ]);
  process.stdout.write('  Ready includes the init container copying the supervisor and the supervisor\'s session with the gateway.\n');
  printTable(`Where one sandbox create → Ready goes (median of each stretch over the ${SEQUENTIAL_PAIRS} runs, as a watch of the pods saw it; bare Pod → Running p50 ${formatMs(percentile(sequential.bareMs, 0.5))})`, [
    ['stretch', 'median', 'runs'],
    ...timeline.stretches(),
  ]);
  // Two kubelet timers a bare Pod (no volume, no init container) never waits for.
  process.stdout.write('  kubelet polls a pod\'s volumes every 300 ms until mounted, and sees the init container exit at its next runtime relist\n');
  process.stdout.write('  (once a second: no evented PLEG on containerd 1.6); see docs/kubernetes.md\n');
  printTable('k8s driver RSS (VmRSS of the gateway\'s driver child, after 3 s idle)', [
    ['state', 'driver RSS'],
    ['idle, right after start (no sandbox yet)', `${rss.idleMb.toFixed(1)} MB`],
    [`${FLEET_SIZE} sandboxes Ready (filled in ${(rss.fillMs / 1000).toFixed(1)} s, ${FLEET_CONCURRENCY} at a time)`, `${rss.fleetMb.toFixed(1)} MB`],
  ]);
  const p50 = percentile(sequential.apiMs, 0.5);
  printVerdict('API create → Ready vs bare Pod → Running, p50 ratio', `${ratio(sequential).toFixed(2)}× (p50 ${formatMs(p50)})`, ratio(sequential) <= TARGETS.sequentialRatio, `≤ ${TARGETS.sequentialRatio}×`);
  printVerdict(`${CONCURRENT_CREATES} concurrent creates vs bare Pods, wall p50 ratio`, `${ratio(concurrent).toFixed(2)}×`, ratio(concurrent) <= TARGETS.concurrentRatio, `≤ ${TARGETS.concurrentRatio}×`);
  printVerdict('driver RSS idle', `${rss.idleMb.toFixed(1)} MB`, rss.idleMb <= TARGETS.fleetRssMb, `≤ ${TARGETS.fleetRssMb} MB`);
  printVerdict(`driver RSS with ${FLEET_SIZE} sandboxes`, `${rss.fleetMb.toFixed(1)} MB`, rss.fleetMb <= TARGETS.fleetRssMb, `≤ ${TARGETS.fleetRssMb} MB`);
}

/** Runs the Kubernetes create benchmark, or prints why it is skipped. */
export async function runK8sCreateBench(): Promise<void> {
  const missing = (await findMissingCluster()) ?? (existsSync(DRIVER_BIN) ? undefined : `skipped: ${DRIVER_BIN} is not built (pnpm run build)`);
  if (missing !== undefined) {
    process.stdout.write(`\nKubernetes create benchmark\n  ${missing}\n`);
    return;
  }
  const cluster = await prepareBenchCluster();
  process.stdout.write(`\nKubernetes create benchmark: run ${cluster.runId}, namespace ${cluster.namespace} (removed at the end)\n`);
  const bare = new BarePodTimer(cluster);
  const timeline = new SandboxPodTimeline(cluster.kubeconfig, cluster.namespace);
  try {
    const port = await findCallbackPort(cluster.nodeIp);
    await using gateway = await BenchGateway.start({ listen: `127.0.0.1:${port}`, driverTable: () => driverTable(cluster, port), readyTimeoutMs: 60_000 });
    const api = new ApiCreateTimer(gateway.address);
    try {
      await bare.start();
      await timeline.start();
      const run = new K8sCreateRun(cluster, gateway, api, bare, timeline);
      await sleep(IDLE_MS);
      const idleMb = await readRssMb(await run.driverPid());
      const sequential = await measureSequential(run);
      const concurrent = await measureConcurrent(run);
      const rss = await measureFleetRss(run, idleMb);
      report(sequential, concurrent, rss, timeline);
    } finally {
      api.close();
    }
  } finally {
    bare.close();
    timeline.close();
    await removeBenchNamespace(cluster);
  }
}

if (isMainModule(import.meta.url)) {
  await runBench('Kubernetes create benchmark', runK8sCreateBench);
}
