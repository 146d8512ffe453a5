// Unary RPC cost of the driver socket: GetCapabilities and ListSandboxes(1,000) through
// serveDriver + connectDriver on a real Unix socket, against two baselines from the same
// run: a bare grpc-js server and client (the generated ComputeDriverService/Client, no SDK
// layers) on a socket of its own, and the handlers called in-process. SDK and bare calls
// alternate, so a machine whose load drifts during the run skews both alike.
// Figures are printed, never asserted.
// Alone: node bench/dist/rpc-latency.js
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Server, ServerCredentials, credentials } from '@grpc/grpc-js';
import type { ServiceError, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import {
  ComputeDriverClient,
  ComputeDriverService,
  ListSandboxesResponse,
  backendReady,
  connectDriver,
  suspendedCondition,
} from '@shellgate/driver-sdk';
import type { ComputeDriverImpl, DriverSandbox, GetCapabilitiesResponse } from '@shellgate/driver-sdk';
import { buildTestSandbox, startTestDriver } from '@shellgate/driver-sdk/testing';

import { elapsedMs, formatMs, formatRatio, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';

const SANDBOX_COUNT = 1_000;
const CAPABILITIES_CALLS = 2_000;
const LIST_CALLS = 100;
const WARMUP_CALLS = 100;
/** Issue 2 targets: one socket hop p50 ≤ 0.5 ms, List(1,000) p50 ≤ 5 ms. */
const HOP_TARGET_MS = 0.5;
const LIST_TARGET_MS = 5;

const CAPABILITIES: GetCapabilitiesResponse = {
  driverName: 'bench',
  driverVersion: '0.0.0',
  defaultImage: 'alpine:3',
  gatewayManagesLifecycle: false,
};

// Shaped like a real fleet: env, labels, resources and two conditions per sandbox.
function buildFleet(count: number): DriverSandbox[] {
  return Array.from({ length: count }, (_, index) => {
    const sandbox = buildTestSandbox({
      spec: {
        environment: { GREETING: 'hello', INDEX: String(index) },
        template: {
          labels: { team: 'bench', tier: 'gold' },
          resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '4Gi' },
        },
      },
    });
    const conditions = [backendReady(), suspendedCondition(false)];
    return { ...sandbox, status: { sandboxName: sandbox.name, instanceId: `c-${index}`, agentFd: '', sandboxFd: '', conditions, deleting: false } };
  });
}

async function timeCall(call: () => unknown): Promise<number> {
  const startNs = process.hrtime.bigint();
  await call();
  return elapsedMs(startNs);
}

async function measure(calls: number, call: () => unknown): Promise<number[]> {
  for (let index = 0; index < WARMUP_CALLS; index++) await call();
  const samples: number[] = [];
  for (let index = 0; index < calls; index++) samples.push(await timeCall(call));
  return samples;
}

/** Times `first` and `second` in turns (order swapped every round), after warming both up. */
async function measureAlternating(calls: number, first: () => unknown, second: () => unknown): Promise<[number[], number[]]> {
  for (let index = 0; index < WARMUP_CALLS; index++) {
    await first();
    await second();
  }
  const firstSamples: number[] = [];
  const secondSamples: number[] = [];
  for (let index = 0; index < calls; index++) {
    if (index % 2 === 0) {
      firstSamples.push(await timeCall(first));
      secondSamples.push(await timeCall(second));
    } else {
      secondSamples.push(await timeCall(second));
      firstSamples.push(await timeCall(first));
    }
  }
  return [firstSamples, secondSamples];
}

/** The generated grpc-js server and client with no SDK code between them and the handlers. */
interface BarePair extends AsyncDisposable {
  getCapabilities(): Promise<GetCapabilitiesResponse>;
  listSandboxes(): Promise<DriverSandbox[]>;
}

interface BenchHandlers {
  getCapabilities(): GetCapabilitiesResponse;
  listSandboxes(): ListSandboxesResponse;
}

async function startBarePair(impl: BenchHandlers): Promise<BarePair> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sg-bare-'));
  const address = `unix://${path.join(dir, 'bare.sock')}`;
  const server = new Server();
  const handlers: UntypedServiceImplementation = {
    getCapabilities: (_call: unknown, callback: sendUnaryData<unknown>) => callback(null, impl.getCapabilities()),
    listSandboxes: (_call: unknown, callback: sendUnaryData<unknown>) => callback(null, impl.listSandboxes()),
  };
  server.addService(ComputeDriverService, handlers);
  await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  const client = new ComputeDriverClient(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const settle = <Res>(resolve: (value: Res) => void, reject: (error: ServiceError) => void) => (error: ServiceError | null, response: Res) =>
    error === null ? resolve(response) : reject(error);
  return {
    getCapabilities: () => new Promise((resolve, reject) => client.getCapabilities({}, settle(resolve, reject))),
    listSandboxes: () => new Promise((resolve, reject) => client.listSandboxes({}, settle((response: ListSandboxesResponse) => resolve(response.sandboxes), reject))),
    [Symbol.asyncDispose]: async () => {
      client.close();
      server.forceShutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Row {
  readonly name: string;
  readonly sdk: readonly number[];
  readonly bare: readonly number[];
  readonly inProcess: readonly number[];
}

function toTableRow(row: Row): string[] {
  const p50 = percentile(row.sdk, 0.5);
  const bareP50 = percentile(row.bare, 0.5);
  return [
    row.name,
    formatMs(p50),
    formatMs(percentile(row.sdk, 0.99)),
    formatMs(bareP50),
    formatMs(percentile(row.bare, 0.99)),
    formatRatio(p50, bareP50),
    formatMs(percentile(row.inProcess, 0.5)),
  ];
}

/** Runs the unary RPC benchmark and prints its table and verdicts. */
export async function runRpcLatencyBench(): Promise<void> {
  const fleet = buildFleet(SANDBOX_COUNT);
  const impl = {
    getCapabilities: () => CAPABILITIES,
    listSandboxes: () => ({ sandboxes: fleet }),
  } satisfies ComputeDriverImpl;
  await using server = await startTestDriver(impl);
  await using bare = await startBarePair(impl);
  const client = await connectDriver(server.socketPath, { retryIntervalMs: 10 });
  try {
    const [capabilitiesSdk, capabilitiesBare] = await measureAlternating(CAPABILITIES_CALLS, () => client.getCapabilities(), () => bare.getCapabilities());
    const capabilities: Row = {
      name: 'GetCapabilities',
      sdk: capabilitiesSdk,
      bare: capabilitiesBare,
      inProcess: await measure(CAPABILITIES_CALLS, () => impl.getCapabilities()),
    };
    const [listSdk, listBare] = await measureAlternating(LIST_CALLS, () => client.listSandboxes(), () => bare.listSandboxes());
    const list: Row = {
      name: `ListSandboxes (${SANDBOX_COUNT})`,
      sdk: listSdk,
      bare: listBare,
      // The floor no transport can go under: the handler plus protobuf encode and decode, no I/O.
      inProcess: await measure(LIST_CALLS, () => ListSandboxesResponse.decode(ListSandboxesResponse.encode(impl.listSandboxes()).finish())),
    };
    const responseBytes = ListSandboxesResponse.encode({ sandboxes: fleet }).finish().length;
    printTable(`Unary RPC over the driver socket (${CAPABILITIES_CALLS} / ${LIST_CALLS} calls after ${WARMUP_CALLS} warm-up; List response ${(responseBytes / 1024).toFixed(0)} KiB)`, [
      ['call', 'SDK p50', 'SDK p99', 'bare grpc-js p50', 'bare p99', 'SDK/bare p50', 'in-process p50 (List: + encode/decode)'],
      toTableRow(capabilities),
      toTableRow(list),
    ]);
    const hopP50 = percentile(capabilities.sdk, 0.5);
    const listP50 = percentile(list.sdk, 0.5);
    printVerdict('socket hop p50 (GetCapabilities)', formatMs(hopP50), hopP50 <= HOP_TARGET_MS, `≤ ${HOP_TARGET_MS} ms`);
    printVerdict(`ListSandboxes(${SANDBOX_COUNT}) p50`, formatMs(listP50), listP50 <= LIST_TARGET_MS, `≤ ${LIST_TARGET_MS} ms`);
  } finally {
    await client.close();
  }
}

if (isMainModule(import.meta.url)) await runBench('unary RPC benchmark', runRpcLatencyBench);
