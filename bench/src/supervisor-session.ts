// The supervisor on a real Docker engine (issue 5), each figure beside a baseline from the same
// engine in the same run: create → Ready (the supervisor's session connected) against
// `docker run -d`; `shellgate sandbox exec NAME -- true` (the whole CLI process) against
// `docker exec CONTAINER true` on the very same container; and exec output throughput through
// supervisor → gateway → client. Figures are printed, never asserted.
// Alone: node bench/dist/supervisor-session.js (needs `bash scripts/engines/docker.sh start`).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Metadata, credentials } from '@grpc/grpc-js';
import { ExecSandboxRequest, OpenShellClient, type ExecSandboxEvent } from '@shellgate/api';

import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';

import { DOCKER_BENCH_ENGINE } from './bench-engine.js';
import { BENCH_IMAGE, CLI_BIN, SUPERVISOR_BUNDLE_BIN, describeBenchRun, newBenchRun, startBenchEngineGateway, sweepBenchRun } from './container-bench-gateway.js';
import type { BenchRun } from './container-bench-gateway.js';
import { ApiCreateTimer } from './docker-api-create.js';
import { ownChildProcess } from './owned-child-process.js';
import { elapsedMs, formatMs, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';
import { run, runOrThrow } from './run-command.js';

const WARMUP = 2;
const CREATE_PAIRS = 10;
const EXEC_PAIRS = 20;
const THROUGHPUT_BYTES = 512 * 1024 * 1024;
const THROUGHPUT_RUNS = 3;
/**
 * The producers of exec output. `dd bs=1M` writes 1 MiB blocks: what the relay itself
 * carries. Busybox `head -c` writes 4 KiB at a time, so every hop reads ~4 KiB chunks and the
 * figure is bound by the reads' count: shown beside it, the same for docker exec.
 */
const BULK_PRODUCER = ['dd', 'if=/dev/zero', 'bs=1048576', `count=${THROUGHPUT_BYTES / 1048576}`];
const SMALL_WRITES_PRODUCER = ['head', '-c', String(THROUGHPUT_BYTES), '/dev/zero'];
const COMMAND = ['sleep', '3600'];
/** Issue 5 targets. */
const CREATE_READY_RATIO_TARGET = 1.6;
const EXEC_RATIO_TARGET = 1.0;
const THROUGHPUT_TARGET_MB_S = 100;

async function timeCommand(file: string, args: readonly string[]): Promise<number> {
  const startNs = process.hrtime.bigint();
  await runOrThrow(file, args);
  return elapsedMs(startNs);
}

async function findMissingPrerequisite(): Promise<string | undefined> {
  if ((await run('docker', ['info', '--format', '{{.ServerVersion}}'], 20_000)).code !== 0) return 'skipped: no Docker engine (run scripts/engines/docker.sh start)';
  if ((await run('docker', ['image', 'inspect', BENCH_IMAGE], 20_000)).code !== 0) return `skipped: image ${BENCH_IMAGE} missing (run scripts/engines/docker.sh start)`;
  for (const bin of [DOCKER_BENCH_ENGINE.driverBin, SUPERVISOR_BUNDLE_BIN, CLI_BIN]) if (!existsSync(bin)) return `skipped: ${bin} is not built (pnpm run build)`;
  return undefined;
}

/** Bytes/s of one ExecSandbox whose command writes `bytes` bytes to stdout. */
function timeExecOutput(client: OpenShellClient, sandboxId: string, command: readonly string[], bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    let received = 0;
    let exitCode: number | undefined;
    const request = ExecSandboxRequest.fromPartial({ sandboxId, command: [...command] });
    const stream = client.execSandbox(request, new Metadata());
    stream.on('data', (event: ExecSandboxEvent) => {
      if (event.payload?.$case === 'stdout') received += event.payload.stdout.data.length;
      if (event.payload?.$case === 'exit') exitCode = event.payload.exit.exitCode;
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (exitCode !== 0 || received !== bytes) {
        reject(new Error(`exec output: ${received} of ${bytes} bytes, exit ${exitCode ?? 'none'}`));
        return;
      }
      resolve(bytes / (elapsedMs(startNs) / 1000));
    });
  });
}

/** ms of one ExecSandbox of `true` through the API, without a CLI process around it. */
async function timeApiExec(client: OpenShellClient, sandboxId: string): Promise<number> {
  const startNs = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const stream = client.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId, command: ['true'] }), new Metadata());
    stream.on('data', () => undefined);
    stream.on('error', reject);
    stream.on('end', resolve);
  });
  return elapsedMs(startNs);
}

/** Bytes/s of `docker exec CONTAINER COMMAND` writing `bytes` bytes, read by this process. */
function timeDockerExecOutput(containerId: string, command: readonly string[], bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    const child = ownChildProcess(execFile('docker', ['exec', containerId, ...command], { encoding: 'buffer', maxBuffer: Infinity }));
    let received = 0;
    child.stdout?.on('data', (chunk: Buffer) => (received += chunk.length));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0 || received !== bytes) reject(new Error(`docker exec output: ${received} of ${bytes} bytes, exit ${code}`));
      else resolve(bytes / (elapsedMs(startNs) / 1000));
    });
  });
}

const mbPerS = (bytesPerS: number): string => `${(bytesPerS / 1024 / 1024).toFixed(0)} MB/s`;

/** Runs the supervisor benchmark, or prints why it is skipped. */
export async function runSupervisorSessionBench(): Promise<void> {
  const missing = await findMissingPrerequisite();
  if (missing !== undefined) {
    process.stdout.write(`\nSupervisor benchmark\n  ${missing}\n`);
    return;
  }
  const benchRun = newBenchRun();
  process.stdout.write(describeBenchRun('Supervisor benchmark', benchRun));
  const runtimeDir = path.join(mkdtempSync(path.join(tmpdir(), 'sg-bench-runtime-')), 'runtime');
  const removeRuntime = addTerminationCleanup(() => rmSync(path.dirname(runtimeDir), { recursive: true, force: true }));
  try {
    await runOrThrow(process.execPath, [SUPERVISOR_BUNDLE_BIN, '--out', runtimeDir]);
    await measureWithGateway(benchRun, runtimeDir);
  } finally {
    await removeRuntime.run();
  }
}

/** The measurements, on a gateway with the supervisor bundle at `runtimeDir`. */
async function measureWithGateway(benchRun: BenchRun, runtimeDir: string): Promise<void> {
  const { runId, runLabel, networkName } = benchRun;
  const gateway = await startBenchEngineGateway(DOCKER_BENCH_ENGINE, networkName, { supervisorRuntimeDir: runtimeDir });
  const api = new ApiCreateTimer(gateway.address);
  // The receive window the CLI uses too (a client option; grpc-js's default is 64 KiB).
  const client = new OpenShellClient(gateway.address, credentials.createInsecure(), { 'grpc-node.flow_control_window': 4 * 1024 * 1024 });
  // Also on SIGTERM/SIGINT: stopped half way, the run once left its gateway creating containers.
  const cleanup = addTerminationCleanup(async () => {
    client.close();
    api.close();
    await gateway.stop();
    await sweepBenchRun(DOCKER_BENCH_ENGINE, benchRun);
  });
  let next = 0;
  const newName = (): string => `s${runId}-${++next}`;
  const cli = (args: readonly string[]): Promise<string> => runOrThrow(process.execPath, [CLI_BIN, '--gateway', gateway.address, '--timeout', '120s', ...args]);
  try {
    const create = { readyMs: [] as number[], dockerMs: [] as number[], dockerOnNetworkMs: [] as number[] };
    for (let pair = 0; pair < WARMUP + CREATE_PAIRS; pair++) {
      const name = newName();
      const ready = await api.timeCreate(name, COMMAND);
      const startNs = process.hrtime.bigint();
      const containerId = await runOrThrow('docker', ['run', '-d', '--label', runLabel, BENCH_IMAGE, ...COMMAND]);
      const docker = elapsedMs(startNs);
      // The engine's own cost of the driver's user-defined network, which sandboxes need.
      const onNetworkStartNs = process.hrtime.bigint();
      const onNetworkId = await runOrThrow('docker', ['run', '-d', '--label', runLabel, '--network', networkName, BENCH_IMAGE, ...COMMAND]);
      const dockerOnNetwork = elapsedMs(onNetworkStartNs);
      if (pair >= WARMUP) {
        create.readyMs.push(ready);
        create.dockerMs.push(docker);
        create.dockerOnNetworkMs.push(dockerOnNetwork);
      }
      await cli(['sandbox', 'delete', name, '--wait']);
      await runOrThrow('docker', ['rm', '-f', containerId, onNetworkId]);
    }

    const name = newName();
    await api.timeCreate(name, COMMAND);
    const sandboxId = JSON.parse(await cli(['sandbox', 'get', name, '-o', 'json'])) as { metadata: { id: string } };
    const containerId = await runOrThrow('docker', ['ps', '-q', '--no-trunc', '--filter', `label=shellgate.dev/sandbox-id=${sandboxId.metadata.id}`]);
    const exec = { shellgateMs: [] as number[], apiMs: [] as number[], dockerMs: [] as number[] };
    for (let pair = 0; pair < WARMUP + EXEC_PAIRS; pair++) {
      const shellgate = await timeCommand(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'sandbox', 'exec', name, '--', 'true']);
      const docker = await timeCommand('docker', ['exec', containerId, 'true']);
      const viaApi = await timeApiExec(client, sandboxId.metadata.id);
      if (pair >= WARMUP) {
        exec.apiMs.push(viaApi);
        exec.shellgateMs.push(shellgate);
        exec.dockerMs.push(docker);
      }
    }

    const throughput = { shellgate: [] as number[], docker: [] as number[], smallShellgate: [] as number[], smallDocker: [] as number[] };
    for (let index = 0; index < THROUGHPUT_RUNS; index++) {
      throughput.shellgate.push(await timeExecOutput(client, sandboxId.metadata.id, BULK_PRODUCER, THROUGHPUT_BYTES));
      throughput.docker.push(await timeDockerExecOutput(containerId, BULK_PRODUCER, THROUGHPUT_BYTES));
      throughput.smallShellgate.push(await timeExecOutput(client, sandboxId.metadata.id, SMALL_WRITES_PRODUCER, THROUGHPUT_BYTES));
      throughput.smallDocker.push(await timeDockerExecOutput(containerId, SMALL_WRITES_PRODUCER, THROUGHPUT_BYTES));
    }
    await cli(['sandbox', 'delete', name, '--wait']);

    const readyP50 = percentile(create.readyMs, 0.5);
    const runP50 = percentile(create.dockerMs, 0.5);
    const runOnNetworkP50 = percentile(create.dockerOnNetworkMs, 0.5);
    const execP50 = percentile(exec.shellgateMs, 0.5);
    const dockerExecP50 = percentile(exec.dockerMs, 0.5);
    const outP50 = percentile(throughput.shellgate, 0.5);
    const dockerOutP50 = percentile(throughput.docker, 0.5);
    const smallOutP50 = percentile(throughput.smallShellgate, 0.5);
    const smallDockerOutP50 = percentile(throughput.smallDocker, 0.5);
    printTable(`Supervisor on Docker, p50 (${CREATE_PAIRS} creates and ${EXEC_PAIRS} execs interleaved with their baselines after ${WARMUP} warm-up)`, [
      ['measure', 'shellgate', 'docker (baseline)', 'ratio'],
      ['create → Ready (session connected) vs docker run -d', formatMs(readyP50), formatMs(runP50), `${(readyP50 / runP50).toFixed(2)}×`],
      ['  floor: docker run -d on the driver\'s network (no shellgate)', formatMs(runOnNetworkP50), formatMs(runP50), `${(runOnNetworkP50 / runP50).toFixed(2)}×`],
      ['shellgate sandbox exec NAME -- true vs docker exec', formatMs(execP50), formatMs(dockerExecP50), `${(execP50 / dockerExecP50).toFixed(2)}×`],
      ['  of which: ExecSandbox of true through the API (no CLI process)', formatMs(percentile(exec.apiMs, 0.5)), formatMs(dockerExecP50), `${(percentile(exec.apiMs, 0.5) / dockerExecP50).toFixed(2)}×`],
      [`exec output, ${THROUGHPUT_BYTES / 1024 / 1024} MB from dd bs=1M (API client; docker CLI read by this process)`, mbPerS(outP50), mbPerS(dockerOutP50), `${(outP50 / dockerOutP50).toFixed(2)}×`],
      [`exec output, ${THROUGHPUT_BYTES / 1024 / 1024} MB from busybox head -c (4 KiB writes)`, mbPerS(smallOutP50), mbPerS(smallDockerOutP50), `${(smallOutP50 / smallDockerOutP50).toFixed(2)}×`],
    ]);
    printVerdict('create → Ready vs docker run -d, p50 ratio', `${(readyP50 / runP50).toFixed(2)}×`, readyP50 / runP50 <= CREATE_READY_RATIO_TARGET, `≤ ${CREATE_READY_RATIO_TARGET}×`);
    printVerdict('exec -- true vs docker exec true, p50 ratio', `${(execP50 / dockerExecP50).toFixed(2)}×`, execP50 / dockerExecP50 <= EXEC_RATIO_TARGET, `≤ ${EXEC_RATIO_TARGET}×`);
    printVerdict('exec output throughput (dd bs=1M)', mbPerS(outP50), outP50 / 1024 / 1024 >= THROUGHPUT_TARGET_MB_S, `≥ ${THROUGHPUT_TARGET_MB_S} MB/s`);
  } finally {
    await cleanup.run();
  }
}

if (isMainModule(import.meta.url)) {
  await runBench('supervisor benchmark', runSupervisorSessionBench);
}
