// Unary RPC cost of the driver socket: GetCapabilities and ListSandboxes(1,000) through
// serveDriver + connectDriver on a real Unix socket, against the same handlers called
// in-process in the same run. Figures are printed, never asserted.
import {
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

async function measure(calls: number, call: () => unknown): Promise<number[]> {
  for (let index = 0; index < WARMUP_CALLS; index++) await call();
  const samples: number[] = [];
  for (let index = 0; index < calls; index++) {
    const startNs = process.hrtime.bigint();
    await call();
    samples.push(elapsedMs(startNs));
  }
  return samples;
}

interface Row {
  readonly name: string;
  readonly socket: readonly number[];
  readonly inProcess: readonly number[];
}

function toTableRow(row: Row): string[] {
  const p50 = percentile(row.socket, 0.5);
  const inP50 = percentile(row.inProcess, 0.5);
  return [
    row.name,
    formatMs(p50),
    formatMs(percentile(row.socket, 0.99)),
    formatMs(inP50),
    formatMs(percentile(row.inProcess, 0.99)),
    formatRatio(p50, inP50),
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
  const client = await connectDriver(server.socketPath, { retryIntervalMs: 10 });
  try {
    const capabilities: Row = {
      name: 'GetCapabilities',
      socket: await measure(CAPABILITIES_CALLS, () => client.getCapabilities()),
      inProcess: await measure(CAPABILITIES_CALLS, () => impl.getCapabilities()),
    };
    const list: Row = {
      name: `ListSandboxes (${SANDBOX_COUNT})`,
      socket: await measure(LIST_CALLS, () => client.listSandboxes()),
      inProcess: await measure(LIST_CALLS, () => impl.listSandboxes()),
    };
    // What the socket adds beyond protobuf itself: the handler plus encode and decode, no I/O.
    const listCodec: Row = {
      name: `  same, in-process + protobuf encode/decode`,
      socket: list.socket,
      inProcess: await measure(LIST_CALLS, () => ListSandboxesResponse.decode(ListSandboxesResponse.encode(impl.listSandboxes()).finish())),
    };
    const responseBytes = ListSandboxesResponse.encode({ sandboxes: fleet }).finish().length;
    printTable(`Unary RPC over the driver socket (${CAPABILITIES_CALLS} / ${LIST_CALLS} calls after ${WARMUP_CALLS} warm-up; List response ${(responseBytes / 1024).toFixed(0)} KiB)`, [
      ['call', 'socket p50', 'socket p99', 'in-process p50', 'in-process p99', 'ratio p50'],
      toTableRow(capabilities),
      toTableRow(list),
      toTableRow(listCodec),
    ]);
    const hopP50 = percentile(capabilities.socket, 0.5);
    const listP50 = percentile(list.socket, 0.5);
    printVerdict('socket hop p50 (GetCapabilities)', formatMs(hopP50), hopP50 <= HOP_TARGET_MS, `≤ ${HOP_TARGET_MS} ms`);
    printVerdict(`ListSandboxes(${SANDBOX_COUNT}) p50`, formatMs(listP50), listP50 <= LIST_TARGET_MS, `≤ ${LIST_TARGET_MS} ms`);
  } finally {
    await client.close();
  }
}

if (isMainModule(import.meta.url)) await runBench('unary RPC benchmark', runRpcLatencyBench);
