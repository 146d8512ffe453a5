// Public API cost of the real gateway with the fake driver (issue 3): create → Provisioning
// round trip, ListSandboxes of 1,000, 100 concurrent creates, and idle RSS, each beside a
// baseline from the same run. Figures are printed, never asserted.
// Alone: node bench/dist/gateway-api.js [--gateway-cpu-prof DIR] (writes the gateway's .cpuprofile).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import { Metadata, credentials } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { CreateSandboxRequest, ListSandboxesResponse, OpenShellClient, SandboxPhase } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';

import { BenchGateway, READY_DELAY_MS } from './gateway-process.js';
import { IDLE_NODE_ARGS, ownChildProcess, stopChildProcess } from './owned-child-process.js';
import { readChildPids, readRssMb } from './process-rss.js';
import { elapsedMs, formatMs, formatRatio, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';

const FLEET_SIZE = 1_000;
const WARMUP_CALLS = 50;
const HEALTH_CALLS = 1_000;
const SEQUENTIAL_CREATES = 300;
const CONCURRENT_CREATES = 100;
const CONCURRENT_ROUNDS = 3;
/** Creates in flight while filling the store up to FLEET_SIZE (not measured). */
const FILL_CONCURRENCY = 10;
const LIST_CALLS = 50;
const IDLE_MS = 3_000;
/** Issue 3 targets. */
const CREATE_P50_TARGET_MS = 5;
const LIST_P50_TARGET_MS = 20;
const CREATES_PER_SECOND_TARGET = 200;
const IDLE_RSS_TARGET_MB = 80;

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

/** The three RPCs the benchmark calls, as promises. */
export class ApiCalls {
  private nextIndex = 0;

  /** `namePrefix` keeps the names of several ApiCalls on one shared store (replicas) apart. */
  constructor(
    private readonly client: OpenShellClient,
    private readonly namePrefix = 'bench',
  ) {}

  private call<Res>(invoke: (metadata: Metadata, callback: Callback<Res>) => void): Promise<Res> {
    return new Promise((resolve, reject) => invoke(new Metadata(), (error, response) => (error === null ? resolve(response) : reject(error))));
  }

  async health(): Promise<void> {
    await this.call((metadata, callback) => this.client.health({}, metadata, callback));
  }

  /** Creates a sandbox shaped like a real one: env, labels, an image. */
  async create(): Promise<Sandbox> {
    const index = this.nextIndex++;
    const request = CreateSandboxRequest.fromPartial({
      name: `${this.namePrefix}-${index}`,
      labels: { team: 'bench', tier: index % 2 === 0 ? 'gold' : 'silver' },
      spec: {
        environment: { GREETING: 'hello', INDEX: String(index) },
        command: ['/bin/agent', '--serve'],
        template: { image: 'ghcr.io/example/agent:1.2.3', labels: { role: 'agent' } },
      },
    });
    const response = await this.call<{ sandbox?: Sandbox }>((metadata, callback) => this.client.createSandbox(request, metadata, callback));
    return response.sandbox!;
  }

  async list(): Promise<ListSandboxesResponse> {
    const request = { workspace: '', allWorkspaces: false, labelSelector: '', limit: 0, offset: 0 };
    return this.call<ListSandboxesResponse>((metadata, callback) => this.client.listSandboxes(request, metadata, callback));
  }
}

/** `calls` timed calls after WARMUP_CALLS untimed ones; the samples in ms. */
export async function sample(calls: number, call: () => unknown): Promise<number[]> {
  for (let index = 0; index < WARMUP_CALLS; index++) await call();
  const samples: number[] = [];
  for (let index = 0; index < calls; index++) {
    const startNs = process.hrtime.bigint();
    await call();
    samples.push(elapsedMs(startNs));
  }
  return samples;
}

/** Wall time of `count` calls started at once. */
export async function timeBurst(count: number, call: () => Promise<unknown>): Promise<number> {
  const startNs = process.hrtime.bigint();
  await Promise.all(Array.from({ length: count }, call));
  return elapsedMs(startNs);
}

async function fillTo(api: ApiCalls, total: number, created: number): Promise<void> {
  let next = created;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      await api.create();
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

interface IdleRss {
  readonly gatewayMb: number;
  readonly driverMb: number;
  readonly bareNodeMb: number;
}

/** RSS after IDLE_MS of no calls, beside a bare `node` idling for the same time. */
async function measureIdleRss(gateway: BenchGateway): Promise<IdleRss> {
  const bare = ownChildProcess(spawn(process.execPath, IDLE_NODE_ARGS, { stdio: 'ignore' }));
  try {
    await sleep(IDLE_MS);
    const driverPids = await readChildPids(gateway.pid);
    const driverMb = driverPids.length === 1 ? await readRssMb(driverPids[0]!) : Number.NaN;
    return { gatewayMb: await readRssMb(gateway.pid), driverMb, bareNodeMb: await readRssMb(bare.pid!) };
  } finally {
    await stopChildProcess(bare);
  }
}

function rssRow(label: string, rss: IdleRss): string[] {
  return [label, `${rss.gatewayMb.toFixed(1)} MB`, `${rss.bareNodeMb.toFixed(1)} MB (bare node, idle)`, formatRatio(rss.gatewayMb, rss.bareNodeMb), `${rss.driverMb.toFixed(1)} MB`];
}

function latencyRow(label: string, samples: readonly number[], baseline: readonly number[], baselineName: string): string[] {
  const p50 = percentile(samples, 0.5);
  const baseP50 = percentile(baseline, 0.5);
  return [label, formatMs(p50), formatMs(percentile(samples, 0.99)), `${formatMs(baseP50)} (${baselineName})`, formatRatio(p50, baseP50)];
}

/** Runs the public API benchmark against a real gateway and prints its tables and verdicts. */
export async function runGatewayApiBench(nodeArgs: readonly string[] = []): Promise<void> {
  await using gateway = await BenchGateway.start({ nodeArgs });
  const client = new OpenShellClient(gateway.address, credentials.createInsecure());
  try {
    const api = new ApiCalls(client);
    const idleEmpty = await measureIdleRss(gateway);
    const health = await sample(HEALTH_CALLS, () => api.health());

    const phases = new Map<string, number>();
    const creates = await sample(SEQUENTIAL_CREATES, async () => {
      const phase = SandboxPhase[(await api.create()).status?.phase ?? SandboxPhase.SANDBOX_PHASE_UNKNOWN];
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
    });

    const burstHealthMs: number[] = [];
    const burstCreateMs: number[] = [];
    for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
      burstHealthMs.push(await timeBurst(CONCURRENT_CREATES, () => api.health()));
      burstCreateMs.push(await timeBurst(CONCURRENT_CREATES, () => api.create()));
    }

    await fillTo(api, FLEET_SIZE, WARMUP_CALLS + SEQUENTIAL_CREATES + CONCURRENT_CREATES * CONCURRENT_ROUNDS);
    // Let the last creates turn Ready, so lists measure a settled store, not status writes.
    await sleep(READY_DELAY_MS + 500);
    const listed = (await api.list()).sandboxes.length;
    const lists = await sample(LIST_CALLS, () => api.list());
    // The protobuf floor: what encoding and decoding the same response costs with no gateway.
    const response = await api.list();
    const codec = await sample(LIST_CALLS, () => ListSandboxesResponse.decode(ListSandboxesResponse.encode(response).finish()));
    const responseKiB = ListSandboxesResponse.encode(response).finish().length / 1024;
    const idleFull = await measureIdleRss(gateway);

    printTable(`Gateway public API, fake driver (${HEALTH_CALLS} Health, ${SEQUENTIAL_CREATES} sequential creates, ${LIST_CALLS} lists, each after ${WARMUP_CALLS} warm-up)`, [
      ['call', 'p50', 'p99', 'baseline p50', 'ratio p50'],
      latencyRow('CreateSandbox → Provisioning', creates, health, 'Health'),
      latencyRow(`ListSandboxes (${listed}, ${responseKiB.toFixed(0)} KiB)`, lists, health, 'Health'),
      latencyRow('  same', lists, codec, 'in-process encode+decode'),
    ]);
    const createdPhases = [...phases].map(([phase, count]) => `${phase} ×${count}`).join(', ');
    process.stdout.write(`  phase returned by sequential creates: ${createdPhases}\n`);

    const burstMedian = percentile(burstCreateMs, 0.5);
    const healthBurstMedian = percentile(burstHealthMs, 0.5);
    const perSecond = (wallMs: number): number => (CONCURRENT_CREATES * 1000) / wallMs;
    printTable(`${CONCURRENT_CREATES} calls at once (${CONCURRENT_ROUNDS} rounds; wall time for all ${CONCURRENT_CREATES})`, [
      ['call', 'wall median', 'per second (median)', 'per second (each round)', 'ratio wall'],
      ['CreateSandbox', formatMs(burstMedian), perSecond(burstMedian).toFixed(0), burstCreateMs.map((ms) => perSecond(ms).toFixed(0)).join(' / '), formatRatio(burstMedian, healthBurstMedian)],
      ['Health (baseline)', formatMs(healthBurstMedian), perSecond(healthBurstMedian).toFixed(0), burstHealthMs.map((ms) => perSecond(ms).toFixed(0)).join(' / '), '1.0×'],
    ]);

    printTable(`Idle RSS (VmRSS after ${IDLE_MS / 1000} s without calls)`, [
      ['state', 'gateway', 'baseline', 'ratio', 'fake driver (info)'],
      rssRow('0 sandboxes, after start', idleEmpty),
      rssRow(`${listed} sandboxes, after the runs above`, idleFull),
    ]);

    const createP50 = percentile(creates, 0.5);
    const listP50 = percentile(lists, 0.5);
    const worstRss = Math.max(idleEmpty.gatewayMb, idleFull.gatewayMb);
    printVerdict('create → Provisioning p50', formatMs(createP50), createP50 <= CREATE_P50_TARGET_MS, `≤ ${CREATE_P50_TARGET_MS} ms`);
    printVerdict(`ListSandboxes(${listed}) p50`, formatMs(listP50), listP50 <= LIST_P50_TARGET_MS, `≤ ${LIST_P50_TARGET_MS} ms`);
    printVerdict(`${CONCURRENT_CREATES} concurrent creates`, `${perSecond(burstMedian).toFixed(0)}/s`, perSecond(burstMedian) >= CREATES_PER_SECOND_TARGET, `≥ ${CREATES_PER_SECOND_TARGET}/s`);
    printVerdict('gateway idle RSS (worse of the two)', `${worstRss.toFixed(1)} MB`, worstRss <= IDLE_RSS_TARGET_MB, `≤ ${IDLE_RSS_TARGET_MB} MB`);
  } finally {
    client.close();
  }
}

/** `--gateway-cpu-prof DIR`: the gateway runs with --cpu-prof and writes its profile to DIR on exit. */
function parseNodeArgs(argv: readonly string[]): string[] {
  const flagIndex = argv.indexOf('--gateway-cpu-prof');
  const dir = flagIndex === -1 ? undefined : argv[flagIndex + 1];
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

if (isMainModule(import.meta.url)) {
  await runBench('gateway API benchmark', () => runGatewayApiBench(parseNodeArgs(process.argv.slice(2))));
}
