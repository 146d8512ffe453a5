// Driver process cost: cold start to the first answered GetCapabilities, and idle RSS,
// each beside a bare `node` baseline measured in the same run. Figures are printed, never asserted.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { connectDriver } from '@shellgate/driver-sdk';

import { IDLE_NODE_ARGS, ownChildProcess, stopChildProcess, withParentWatch } from './owned-child-process.js';
import { readRssMb } from './process-rss.js';
import { elapsedMs, formatMs, formatRatio, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SDK_DIST = path.join(REPO_ROOT, 'packages', 'driver-sdk', 'dist');
/** The fake driver binary; the SDK's example driver stands in while it is not built. */
const DRIVER_CANDIDATES = [
  path.join(SDK_DIST, 'fake-driver', 'main.js'),
  path.join(SDK_DIST, 'testing', 'example', 'memory-driver-main.js'),
];
const COLD_START_RUNS = 10;
const IDLE_MS = 3_000;
/** Issue 2 targets. */
const COLD_START_TARGET_MS = 300;
const IDLE_RSS_TARGET_MB = 60;
/** Dial often: connectDriver's default 250 ms cadence would round every start up to it. */
const DIAL_RETRY_MS = 2;

function findDriverBinary(): string | undefined {
  return DRIVER_CANDIDATES.find((candidate) => existsSync(candidate));
}

/** Spawned the way a gateway spawns it: with a stdin pipe it watches for its parent. */
function spawnDriver(binary: string, socketPath: string): ChildProcess {
  return ownChildProcess(
    spawn(process.execPath, [binary, '--bind-socket', socketPath, '--log-level', 'warn'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: withParentWatch(process.env),
    }),
  );
}

async function timeColdStart(binary: string, dir: string, run: number): Promise<number> {
  const socketPath = path.join(dir, `driver-${run}.sock`);
  const startNs = process.hrtime.bigint();
  const child = spawnDriver(binary, socketPath);
  try {
    await waitForFile(socketPath);
    const client = await connectDriver(socketPath, { retryIntervalMs: DIAL_RETRY_MS, connectTimeoutMs: 10_000 });
    const ms = elapsedMs(startNs);
    await client.close();
    return ms;
  } finally {
    await stopChildProcess(child);
  }
}

// A stat every 2 ms costs the starting driver nothing; dialing a fresh gRPC channel that
// often would compete with it for the CPU and inflate the figure.
async function waitForFile(filePath: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(filePath) && Date.now() < deadline) await sleep(DIAL_RETRY_MS);
}

async function timeBareNode(): Promise<number> {
  const startNs = process.hrtime.bigint();
  const child = ownChildProcess(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }));
  await once(child, 'exit');
  return elapsedMs(startNs);
}

async function measureIdleRss(binary: string, dir: string): Promise<{ driverMb: number; baselineMb: number }> {
  const socketPath = path.join(dir, 'idle.sock');
  const driver = spawnDriver(binary, socketPath);
  const baseline = ownChildProcess(spawn(process.execPath, IDLE_NODE_ARGS, { stdio: 'ignore' }));
  try {
    // Answered once, like a gateway checking readiness, then left alone.
    const client = await connectDriver(socketPath, { retryIntervalMs: DIAL_RETRY_MS, connectTimeoutMs: 10_000 });
    await client.close();
    await sleep(IDLE_MS);
    return { driverMb: await readRssMb(driver.pid!), baselineMb: await readRssMb(baseline.pid!) };
  } finally {
    await Promise.all([stopChildProcess(driver), stopChildProcess(baseline)]);
  }
}

/** Runs the cold-start and idle-RSS benchmark and prints its tables and verdicts. */
export async function runDriverProcessBench(): Promise<void> {
  const binary = findDriverBinary();
  if (binary === undefined) {
    process.stdout.write(`\nDriver process: skipped, no driver binary built (looked for ${DRIVER_CANDIDATES.join(', ')}); run pnpm build\n`);
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sg-bench-'));
  try {
    const starts: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < COLD_START_RUNS; run++) {
      starts.push(await timeColdStart(binary, dir, run));
      bare.push(await timeBareNode());
    }
    const rss = await measureIdleRss(binary, dir);
    const startP50 = percentile(starts, 0.5);
    const bareP50 = percentile(bare, 0.5);
    printTable(`Driver process: ${path.relative(REPO_ROOT, binary)} (${COLD_START_RUNS} runs; RSS after ${IDLE_MS / 1000} s idle)`, [
      ['measure', 'driver', 'baseline', 'ratio'],
      ['cold start → first GetCapabilities, p50', formatMs(startP50), `${formatMs(bareP50)} (node -e 0)`, formatRatio(startP50, bareP50)],
      ['cold start → first GetCapabilities, max', formatMs(Math.max(...starts)), `${formatMs(Math.max(...bare))} (node -e 0)`, formatRatio(Math.max(...starts), Math.max(...bare))],
      ['idle RSS', `${rss.driverMb.toFixed(1)} MB`, `${rss.baselineMb.toFixed(1)} MB (bare node, idle)`, formatRatio(rss.driverMb, rss.baselineMb)],
    ]);
    printVerdict('cold start p50', formatMs(startP50), startP50 <= COLD_START_TARGET_MS, `≤ ${COLD_START_TARGET_MS} ms`);
    printVerdict('idle RSS', `${rss.driverMb.toFixed(1)} MB`, rss.driverMb <= IDLE_RSS_TARGET_MB, `≤ ${IDLE_RSS_TARGET_MB} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) await runBench('driver process benchmark', runDriverProcessBench);
