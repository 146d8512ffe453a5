// Sandbox create on a real container engine (issues 4 and 11): `shellgate sandbox create
// --wait` and the API through the real gateway and the engine's driver to backend Running,
// beside `docker run -d` / `podman run -d` of the same image and command on the same engine in
// the same run; 20 at once, same comparison; and the driver's RSS idle and holding 100
// sandboxes. Figures are printed, never asserted. docker-create.ts and podman-create.ts run it
// with their engine and the targets.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';

import type { BenchEngine } from './bench-engine.js';
import { BENCH_IMAGE, CLI_BIN, describeBenchRun, newBenchRun, startBenchEngineGateway, sweepBenchRun } from './container-bench-gateway.js';
import type { BenchRun } from './container-bench-gateway.js';
import { ApiCreateTimer } from './docker-api-create.js';
import type { BenchGateway } from './gateway-process.js';
import { readChildPids, readRssMb } from './process-rss.js';
import { elapsedMs, formatMs, percentile, printTable, printVerdict } from './report.js';
import { runOrThrow } from './run-command.js';

const WARMUP_PAIRS = 2;
const SEQUENTIAL_PAIRS = 10;
const CONCURRENT_CREATES = 20;
const CONCURRENT_ROUNDS = 3;
const FLEET_SIZE = 100;
const FLEET_CONCURRENCY = 10;
const IDLE_MS = 3_000;
const COMMAND = ['sleep', '3600'];

/** An issue's targets, each a ratio to `run -d` at p50 or an RSS ceiling; an unset one is not judged. */
export interface CreateTargets {
  readonly sequentialCliRatio?: number;
  readonly sequentialApiRatio?: number;
  readonly concurrentCliRatio?: number;
  readonly concurrentApiRatio?: number;
  /** The driver with no sandbox yet, right after start. */
  readonly idleRssMb?: number;
  /** The driver with FLEET_SIZE sandboxes. */
  readonly fleetRssMb: number;
}

/** Why the benchmark cannot run here, or undefined when it can. */
async function findMissingPrerequisite(engine: BenchEngine): Promise<string | undefined> {
  const missing = await engine.findMissing();
  if (missing !== undefined) return missing;
  if (!existsSync(engine.driverBin)) return `skipped: ${engine.driverBin} is not built (pnpm run build)`;
  return undefined;
}

/** One benchmark run: its names, labels and the gateway. */
class CreateRun {
  private nextIndex = 0;

  constructor(
    readonly engine: BenchEngine,
    readonly gateway: BenchGateway,
    readonly benchRun: BenchRun,
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
   * ms of `docker run -d` / `podman run -d` of the same image and command; resolves with the
   * container id too. `onDriverNetwork`: on the driver's user-defined bridge instead of the
   * engine's default one, which costs the engine more per start (Docker: its embedded DNS);
   * a breakdown, never the baseline.
   */
  async timeEngineRun(onDriverNetwork = false): Promise<{ ms: number; id: string }> {
    const network = onDriverNetwork ? ['--network', this.benchRun.networkName] : [];
    const startNs = process.hrtime.bigint();
    const id = await runOrThrow(this.engine.cli, ['run', '-d', '--label', this.benchRun.runLabel, ...network, BENCH_IMAGE, ...COMMAND]);
    return { ms: elapsedMs(startNs), id };
  }

  async deleteSandboxes(names: readonly string[]): Promise<void> {
    for (let index = 0; index < names.length; index += 25) await this.cli(['sandbox', 'delete', ...names.slice(index, index + 25), '--wait']);
  }

  async removeContainers(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await runOrThrow(this.engine.cli, ['rm', '-f', '-v', ...ids]);
  }

}

interface CreateTimes {
  /** `shellgate sandbox create --wait`, the whole CLI process. */
  readonly cliMs: number[];
  /** CreateSandbox + GetSandbox polls until Ready, no CLI process (a breakdown, not a target). */
  readonly apiMs: number[];
  /** `docker run -d` / `podman run -d`: the baseline. */
  readonly engineMs: number[];
  /** `run -d` on the driver's network: the engine's floor for our containers (a breakdown). */
  readonly engineOnNetworkMs: number[];
}

/** Pairs run interleaved, so drift on the machine hits both sides alike. */
async function measureSequential(bench: CreateRun, api: ApiCreateTimer): Promise<CreateTimes> {
  const times: CreateTimes = { cliMs: [], apiMs: [], engineMs: [], engineOnNetworkMs: [] };
  for (let pair = 0; pair < WARMUP_PAIRS + SEQUENTIAL_PAIRS; pair++) {
    const names = [bench.newName(), bench.newName()];
    // The first create makes the driver's network, which the second docker run joins.
    const cli = await bench.timeCliCreate(names[0]!);
    const engineRun = await bench.timeEngineRun();
    const viaApi = await api.timeCreate(names[1]!, COMMAND);
    const engineRunOnNetwork = await bench.timeEngineRun(true);
    if (pair >= WARMUP_PAIRS) {
      times.cliMs.push(cli);
      times.engineMs.push(engineRun.ms);
      times.apiMs.push(viaApi);
      times.engineOnNetworkMs.push(engineRunOnNetwork.ms);
    }
    await bench.deleteSandboxes(names);
    await bench.removeContainers([engineRun.id, engineRunOnNetwork.id]);
  }
  return times;
}

/** Wall time of `count` calls started at once. */
async function timeBurst(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const startNs = process.hrtime.bigint();
  await Promise.all(Array.from({ length: count }, (_, index) => call(index)));
  return elapsedMs(startNs);
}

async function measureConcurrent(bench: CreateRun, api: ApiCreateTimer): Promise<CreateTimes> {
  const times: CreateTimes = { cliMs: [], apiMs: [], engineMs: [], engineOnNetworkMs: [] };
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const cliNames = Array.from({ length: CONCURRENT_CREATES }, () => bench.newName());
    const apiNames = Array.from({ length: CONCURRENT_CREATES }, () => bench.newName());
    const containerIds: string[] = [];
    times.cliMs.push(await timeBurst(CONCURRENT_CREATES, (index) => bench.timeCliCreate(cliNames[index]!)));
    times.engineMs.push(await timeBurst(CONCURRENT_CREATES, async () => containerIds.push((await bench.timeEngineRun()).id)));
    times.apiMs.push(await timeBurst(CONCURRENT_CREATES, (index) => api.timeCreate(apiNames[index]!, COMMAND)));
    times.engineOnNetworkMs.push(await timeBurst(CONCURRENT_CREATES, async () => containerIds.push((await bench.timeEngineRun(true)).id)));
    await bench.deleteSandboxes([...cliNames, ...apiNames]);
    await bench.removeContainers(containerIds);
  }
  return times;
}

/** The gateway's child that runs the engine's driver. */
async function findDriverPid(bench: CreateRun): Promise<number> {
  for (const pid of await readChildPids(bench.gateway.pid)) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(`driver-${bench.engine.name}`)) return pid;
  }
  throw new Error(`no ${bench.engine.name} driver process among the children of gateway pid ${bench.gateway.pid}`);
}

interface FleetRss {
  readonly emptyMb: number;
  readonly fleetMb: number;
  readonly fleetSize: number;
  readonly fillMs: number;
}

async function measureFleetRss(bench: CreateRun): Promise<FleetRss> {
  const driverPid = await findDriverPid(bench);
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
  const baseline = percentile(times.engineMs, 0.5);
  const onNetwork = percentile(times.engineOnNetworkMs, 0.5);
  const worst = (samples: readonly number[]): string => formatMs(Math.max(...samples));
  return [
    label,
    `${formatMs(cli)} (max ${worst(times.cliMs)})`,
    `${formatMs(viaApi)} (max ${worst(times.apiMs)})`,
    `${formatMs(baseline)} (max ${worst(times.engineMs)})`,
    `${ratio(cli, baseline).toFixed(2)}×`,
    `${ratio(viaApi, baseline).toFixed(2)}×`,
    `${formatMs(onNetwork)} (${ratio(onNetwork, baseline).toFixed(2)}×)`,
  ];
}

/** One PASS/MISS line for a p50 ratio to the baseline, when the issue sets a target for it. */
function printRatioVerdict(what: string, samples: readonly number[], baselines: readonly number[], target: number | undefined): void {
  if (target === undefined) return;
  const value = ratio(percentile(samples, 0.5), percentile(baselines, 0.5));
  printVerdict(what, `${value.toFixed(2)}×`, value <= target, `≤ ${target}×`);
}

function report(engine: BenchEngine, targets: CreateTargets, measured: { sequential: CreateTimes; concurrent: CreateTimes; idleMb: number; rss: FleetRss }): void {
  const { sequential, concurrent, idleMb, rss } = measured;
  const run = `${engine.cli} run -d`;
  printTable(`Sandbox create on ${engine.displayName}, p50 (${SEQUENTIAL_PAIRS} interleaved runs after ${WARMUP_PAIRS} warm-up; ${CONCURRENT_ROUNDS} rounds of ${CONCURRENT_CREATES} at once, wall time)`, [
    ['measure', 'shellgate create --wait', 'API create → Ready', `${run} (baseline)`, 'ratio CLI', 'ratio API', `${run} on the driver network`],
    timesRow('one create', sequential),
    timesRow(`${CONCURRENT_CREATES} at once`, concurrent),
  ]);
  process.stdout.write(
    '  ratio CLI includes the CLI process; ratio API leaves it out; the last column is the engine\'s own cost of the\n' +
      `  driver's network (same ${run}, --network NAME), a floor no driver change removes.\n`,
  );
  printTable(`${engine.displayName} driver RSS (VmRSS of the gateway's driver child, after 3 s idle)`, [
    ['state', 'driver RSS'],
    ['idle, right after start (no sandbox yet)', `${idleMb.toFixed(1)} MB`],
    ['0 sandboxes, after the create runs', `${rss.emptyMb.toFixed(1)} MB`],
    [`${rss.fleetSize} sandboxes Ready (filled in ${(rss.fillMs / 1000).toFixed(1)} s, ${FLEET_CONCURRENCY} at a time)`, `${rss.fleetMb.toFixed(1)} MB`],
  ]);
  printRatioVerdict(`create --wait vs ${run}, p50 ratio`, sequential.cliMs, sequential.engineMs, targets.sequentialCliRatio);
  printRatioVerdict(`API create → Ready vs ${run}, p50 ratio`, sequential.apiMs, sequential.engineMs, targets.sequentialApiRatio);
  printRatioVerdict(`${CONCURRENT_CREATES} concurrent creates --wait vs ${run}, wall p50 ratio`, concurrent.cliMs, concurrent.engineMs, targets.concurrentCliRatio);
  printRatioVerdict(`${CONCURRENT_CREATES} concurrent API creates vs ${run}, wall p50 ratio`, concurrent.apiMs, concurrent.engineMs, targets.concurrentApiRatio);
  if (targets.idleRssMb !== undefined) printVerdict('driver RSS idle', `${idleMb.toFixed(1)} MB`, idleMb <= targets.idleRssMb, `≤ ${targets.idleRssMb} MB`);
  printVerdict(`driver RSS with ${rss.fleetSize} sandboxes`, `${rss.fleetMb.toFixed(1)} MB`, rss.fleetSize >= FLEET_SIZE && rss.fleetMb <= targets.fleetRssMb, `≤ ${targets.fleetRssMb} MB with ${FLEET_SIZE}`);
}

/** Runs the create benchmark on `engine`, or prints why it is skipped when the engine is not there. */
export async function runContainerCreateBench(engine: BenchEngine, targets: CreateTargets): Promise<void> {
  const name = `${engine.displayName} create benchmark`;
  const missing = await findMissingPrerequisite(engine);
  if (missing !== undefined) {
    process.stdout.write(`\n${name}\n  ${missing}\n`);
    return;
  }
  const benchRun = newBenchRun();
  process.stdout.write(describeBenchRun(name, benchRun));
  const gateway = await startBenchEngineGateway(engine, benchRun.networkName);
  const bench = new CreateRun(engine, gateway, benchRun);
  const api = new ApiCreateTimer(gateway.address);
  // Also on SIGTERM/SIGINT: stopped half way, the run once left its gateway creating containers.
  const cleanup = addTerminationCleanup(async () => {
    api.close();
    await gateway.stop();
    await sweepBenchRun(engine, benchRun);
  });
  try {
    await sleep(IDLE_MS);
    const idleMb = await readRssMb(await findDriverPid(bench));
    const sequential = await measureSequential(bench, api);
    const concurrent = await measureConcurrent(bench, api);
    const rss = await measureFleetRss(bench);
    report(engine, targets, { sequential, concurrent, idleMb, rss });
  } finally {
    await cleanup.run();
  }
}
