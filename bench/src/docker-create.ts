// Sandbox create on a real Docker engine (issue 4): `shellgate sandbox create --wait` through the
// real gateway and docker driver to backend Running, beside `docker run -d` of the same image
// and command on the same engine in the same run; 20 at once, same comparison; and the
// driver's RSS holding 100 sandboxes. Figures are printed, never asserted.
// Alone: node bench/dist/docker-create.js (needs `bash scripts/engines/docker.sh start`).
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';

import { ApiCreateTimer } from './docker-api-create.js';
import {
  BENCH_IMAGE,
  CLI_BIN,
  DOCKER_DRIVER_BIN,
  describeDockerBenchRun,
  newDockerBenchRun,
  startDockerBenchGateway,
  sweepDockerBenchRun,
} from './docker-bench-gateway.js';
import type { DockerBenchRun } from './docker-bench-gateway.js';
import type { BenchGateway } from './gateway-process.js';
import { readChildPids, readRssMb } from './process-rss.js';
import { elapsedMs, formatMs, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';
import { run, runOrThrow } from './run-command.js';

const WARMUP_PAIRS = 2;
const SEQUENTIAL_PAIRS = 10;
const CONCURRENT_CREATES = 20;
const CONCURRENT_ROUNDS = 3;
const FLEET_SIZE = 100;
const FLEET_CONCURRENCY = 10;
const IDLE_MS = 3_000;
const COMMAND = ['sleep', '3600'];
/** Issue 4 targets. */
const SEQUENTIAL_RATIO_TARGET = 1.15;
const CONCURRENT_RATIO_TARGET = 1.3;
const DRIVER_RSS_TARGET_MB = 80;
export const NO_ENGINE_MESSAGE = 'skipped: no Docker engine (run scripts/engines/docker.sh start)';

/** Why the benchmark cannot run here, or undefined when it can. */
async function findMissingPrerequisite(): Promise<string | undefined> {
  if ((await run('docker', ['info', '--format', '{{.ServerVersion}}'], 20_000)).code !== 0) return NO_ENGINE_MESSAGE;
  if ((await run('docker', ['image', 'inspect', BENCH_IMAGE], 20_000)).code !== 0) {
    return `skipped: image ${BENCH_IMAGE} missing (run scripts/engines/docker.sh start)`;
  }
  if (!existsSync(DOCKER_DRIVER_BIN)) return `skipped: ${DOCKER_DRIVER_BIN} is not built (pnpm run build)`;
  return undefined;
}

/** One benchmark run: its names, labels and the gateway. */
class DockerCreateRun {
  private nextIndex = 0;

  constructor(
    readonly gateway: BenchGateway,
    readonly benchRun: DockerBenchRun,
  ) {}

  newName(): string {
    this.nextIndex += 1;
    return `b${this.benchRun.runId}-${this.nextIndex}`;
  }

  cli(args: readonly string[]): Promise<string> {
    return runOrThrow(process.execPath, [CLI_BIN, '--gateway', this.gateway.address, '--timeout', '120s', ...args]);
  }

  /** ms of `shellgate sandbox create NAME --wait` (the whole CLI process). */
  async timeCliCreate(name: string): Promise<number> {
    const startNs = process.hrtime.bigint();
    await this.cli(['sandbox', 'create', name, ...COMMAND.flatMap((arg) => ['--cmd', arg]), '--wait']);
    return elapsedMs(startNs);
  }

  /**
   * ms of `docker run -d` of the same image and command; resolves with the container id too.
   * `onDriverNetwork`: on the driver's user-defined bridge instead of Docker's default one,
   * which costs dockerd more per start (its embedded DNS); a breakdown, never the baseline.
   */
  async timeDockerRun(onDriverNetwork = false): Promise<{ ms: number; id: string }> {
    const network = onDriverNetwork ? ['--network', this.benchRun.networkName] : [];
    const startNs = process.hrtime.bigint();
    const id = await runOrThrow('docker', ['run', '-d', '--label', this.benchRun.runLabel, ...network, BENCH_IMAGE, ...COMMAND]);
    return { ms: elapsedMs(startNs), id };
  }

  async deleteSandboxes(names: readonly string[]): Promise<void> {
    for (let index = 0; index < names.length; index += 25) await this.cli(['sandbox', 'delete', ...names.slice(index, index + 25), '--wait']);
  }

  async removeContainers(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await runOrThrow('docker', ['rm', '-f', '-v', ...ids]);
  }

}

interface CreateTimes {
  /** `shellgate sandbox create --wait`, the whole CLI process. */
  readonly cliMs: number[];
  /** CreateSandbox + GetSandbox polls until Ready, no CLI process (a breakdown, not a target). */
  readonly apiMs: number[];
  readonly dockerMs: number[];
  /** `docker run -d` on the driver's network: the engine's floor for our containers (a breakdown). */
  readonly dockerOnNetworkMs: number[];
}

/** Pairs run interleaved, so drift on the machine hits both sides alike. */
async function measureSequential(bench: DockerCreateRun, api: ApiCreateTimer): Promise<CreateTimes> {
  const times: CreateTimes = { cliMs: [], apiMs: [], dockerMs: [], dockerOnNetworkMs: [] };
  for (let pair = 0; pair < WARMUP_PAIRS + SEQUENTIAL_PAIRS; pair++) {
    const names = [bench.newName(), bench.newName()];
    // The first create makes the driver's network, which the second docker run joins.
    const cli = await bench.timeCliCreate(names[0]!);
    const docker = await bench.timeDockerRun();
    const viaApi = await api.timeCreate(names[1]!, COMMAND);
    const dockerOnNetwork = await bench.timeDockerRun(true);
    if (pair >= WARMUP_PAIRS) {
      times.cliMs.push(cli);
      times.dockerMs.push(docker.ms);
      times.apiMs.push(viaApi);
      times.dockerOnNetworkMs.push(dockerOnNetwork.ms);
    }
    await bench.deleteSandboxes(names);
    await bench.removeContainers([docker.id, dockerOnNetwork.id]);
  }
  return times;
}

/** Wall time of `count` calls started at once. */
async function timeBurst(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const startNs = process.hrtime.bigint();
  await Promise.all(Array.from({ length: count }, (_, index) => call(index)));
  return elapsedMs(startNs);
}

async function measureConcurrent(bench: DockerCreateRun, api: ApiCreateTimer): Promise<CreateTimes> {
  const times: CreateTimes = { cliMs: [], apiMs: [], dockerMs: [], dockerOnNetworkMs: [] };
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const cliNames = Array.from({ length: CONCURRENT_CREATES }, () => bench.newName());
    const apiNames = Array.from({ length: CONCURRENT_CREATES }, () => bench.newName());
    const containerIds: string[] = [];
    times.cliMs.push(await timeBurst(CONCURRENT_CREATES, (index) => bench.timeCliCreate(cliNames[index]!)));
    times.dockerMs.push(await timeBurst(CONCURRENT_CREATES, async () => containerIds.push((await bench.timeDockerRun()).id)));
    times.apiMs.push(await timeBurst(CONCURRENT_CREATES, (index) => api.timeCreate(apiNames[index]!, COMMAND)));
    times.dockerOnNetworkMs.push(await timeBurst(CONCURRENT_CREATES, async () => containerIds.push((await bench.timeDockerRun(true)).id)));
    await bench.deleteSandboxes([...cliNames, ...apiNames]);
    await bench.removeContainers(containerIds);
  }
  return times;
}

/** The gateway's child that runs the docker driver. */
async function findDriverPid(gatewayPid: number): Promise<number | undefined> {
  for (const pid of await readChildPids(gatewayPid)) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('driver-docker')) return pid;
  }
  return undefined;
}

interface FleetRss {
  readonly emptyMb: number;
  readonly fleetMb: number;
  readonly fleetSize: number;
  readonly fillMs: number;
}

async function measureFleetRss(bench: DockerCreateRun): Promise<FleetRss> {
  const driverPid = await findDriverPid(bench.gateway.pid);
  if (driverPid === undefined) throw new Error(`no docker driver process among the children of gateway pid ${bench.gateway.pid}`);
  await sleep(IDLE_MS);
  const emptyMb = await readRssMb(driverPid);
  const names = Array.from({ length: FLEET_SIZE }, () => bench.newName());
  const startNs = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) await bench.timeCliCreate(names[next++]!);
  };
  await Promise.all(Array.from({ length: FLEET_CONCURRENCY }, worker));
  const fillMs = elapsedMs(startNs);
  await sleep(IDLE_MS);
  const fleetMb = await readRssMb(driverPid);
  const running = (await bench.cli(['sandbox', 'list', '-o', 'json'])).split('SANDBOX_PHASE_READY').length - 1;
  await bench.deleteSandboxes(names);
  return { emptyMb, fleetMb, fleetSize: running, fillMs };
}

function ratio(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : Number.NaN;
}

function timesRow(label: string, times: CreateTimes): string[] {
  const cli = percentile(times.cliMs, 0.5);
  const viaApi = percentile(times.apiMs, 0.5);
  const docker = percentile(times.dockerMs, 0.5);
  const dockerOnNetwork = percentile(times.dockerOnNetworkMs, 0.5);
  const worst = (samples: readonly number[]): string => formatMs(Math.max(...samples));
  return [
    label,
    `${formatMs(cli)} (max ${worst(times.cliMs)})`,
    `${formatMs(viaApi)} (max ${worst(times.apiMs)})`,
    `${formatMs(docker)} (max ${worst(times.dockerMs)})`,
    `${ratio(cli, docker).toFixed(2)}×`,
    `${ratio(viaApi, docker).toFixed(2)}×`,
    `${formatMs(dockerOnNetwork)} (${ratio(dockerOnNetwork, docker).toFixed(2)}×)`,
  ];
}

function report(sequential: CreateTimes, concurrent: CreateTimes, rss: FleetRss): void {
  const seqRatio = ratio(percentile(sequential.cliMs, 0.5), percentile(sequential.dockerMs, 0.5));
  const conRatio = ratio(percentile(concurrent.cliMs, 0.5), percentile(concurrent.dockerMs, 0.5));
  printTable(`Sandbox create on Docker, p50 (${SEQUENTIAL_PAIRS} interleaved runs after ${WARMUP_PAIRS} warm-up; ${CONCURRENT_ROUNDS} rounds of ${CONCURRENT_CREATES} at once, wall time)`, [
    ['measure', 'shellgate create --wait', 'API create → Ready', 'docker run -d (baseline)', 'ratio CLI', 'ratio API', 'docker run -d on the driver network'],
    timesRow('one create', sequential),
    timesRow(`${CONCURRENT_CREATES} at once`, concurrent),
  ]);
  process.stdout.write(
    '  ratio CLI is the target; ratio API leaves out the CLI process; the last column is the engine\'s own cost of the\n' +
      '  driver\'s user-defined network (same docker run -d, --network NAME), a floor no driver change removes.\n',
  );
  printTable('Docker driver RSS (VmRSS of the gateway\'s driver child, after 3 s idle)', [
    ['state', 'driver RSS'],
    ['0 sandboxes', `${rss.emptyMb.toFixed(1)} MB`],
    [`${rss.fleetSize} sandboxes Ready (filled in ${(rss.fillMs / 1000).toFixed(1)} s, ${FLEET_CONCURRENCY} at a time)`, `${rss.fleetMb.toFixed(1)} MB`],
  ]);
  printVerdict('create --wait vs docker run -d, p50 ratio', `${seqRatio.toFixed(2)}×`, seqRatio <= SEQUENTIAL_RATIO_TARGET, `≤ ${SEQUENTIAL_RATIO_TARGET}×`);
  printVerdict(`${CONCURRENT_CREATES} concurrent creates --wait vs docker run -d, wall p50 ratio`, `${conRatio.toFixed(2)}×`, conRatio <= CONCURRENT_RATIO_TARGET, `≤ ${CONCURRENT_RATIO_TARGET}×`);
  printVerdict(`driver RSS with ${rss.fleetSize} sandboxes`, `${rss.fleetMb.toFixed(1)} MB`, rss.fleetSize >= FLEET_SIZE && rss.fleetMb <= DRIVER_RSS_TARGET_MB, `≤ ${DRIVER_RSS_TARGET_MB} MB with ${FLEET_SIZE}`);
}

/** Runs the Docker create benchmark, or prints why it is skipped when no engine answers. */
export async function runDockerCreateBench(): Promise<void> {
  const missing = await findMissingPrerequisite();
  if (missing !== undefined) {
    process.stdout.write(`\nDocker create benchmark\n  ${missing}\n`);
    return;
  }
  const benchRun = newDockerBenchRun();
  process.stdout.write(describeDockerBenchRun('Docker create benchmark', benchRun));
  const gateway = await startDockerBenchGateway(benchRun.networkName);
  const bench = new DockerCreateRun(gateway, benchRun);
  const api = new ApiCreateTimer(gateway.address);
  // Also on SIGTERM/SIGINT: stopped half way, the run once left its gateway creating containers.
  const cleanup = addTerminationCleanup(async () => {
    api.close();
    await gateway.stop();
    await sweepDockerBenchRun(benchRun);
  });
  try {
    const sequential = await measureSequential(bench, api);
    const concurrent = await measureConcurrent(bench, api);
    const rss = await measureFleetRss(bench);
    report(sequential, concurrent, rss);
  } finally {
    await cleanup.run();
  }
}

if (isMainModule(import.meta.url)) {
  await runBench('docker create benchmark', runDockerCreateBench);
}
