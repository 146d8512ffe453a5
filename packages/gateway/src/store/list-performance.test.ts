import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';

import { Sandbox, SandboxPhase } from '@shellgate/api';

import { parseLabelSelector } from '../labels/index.js';
import type { SandboxRecord } from './gateway-store.js';
import { DesiredState } from './gateway-store.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

const SANDBOX_COUNT = 1000;
const RUNS = 20;

// A sandbox the size a real one has: spec with env, template, status with conditions.
function realisticRecord(index: number): SandboxRecord {
  const id = `sb-${index.toString().padStart(5, '0')}`;
  return {
    sandbox: Sandbox.fromPartial({
      metadata: { id, name: `box-${index}`, workspace: 'default', labels: { app: index % 2 === 0 ? 'web' : 'db', team: `t${index % 10}` } },
      spec: {
        command: ['/bin/agent', '--serve'],
        environment: Object.fromEntries(Array.from({ length: 8 }, (_, n) => [`VAR_${n}`, `value-${n}-${index}`])),
        template: { image: 'ghcr.io/example/agent:1.2.3', labels: { role: 'agent' } },
        logLevel: 'info',
      },
      status: {
        phase: SandboxPhase.SANDBOX_PHASE_READY,
        sandboxName: id,
        conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: 'container running', lastTransitionTime: '2025-01-01T00:00:00Z' }],
      },
    }),
    driver: 'docker',
    desiredState: DesiredState.Running,
    missingSinceMs: undefined,
  };
}

/** "median / min" of RUNS runs; the SQLite store does all its work before the promise returns. */
function measure(action: () => void): string {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const start = performance.now();
    action();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return `${times[Math.floor(times.length / 2)]!.toFixed(2)} / ${times[0]!.toFixed(2)} ms`;
}

describe('store list performance', () => {
  it(`lists ${SANDBOX_COUNT} sandboxes (measured, logged, not asserted)`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'shellgate-perf-'));
    const store = await openSqliteStore({ path: join(dir, 'gateway.db') });
    try {
      const insertStart = performance.now();
      for (let index = 0; index < SANDBOX_COUNT; index += 1) await store.createSandbox(realisticRecord(index));
      const insertMs = performance.now() - insertStart;
      t.diagnostic(`created ${SANDBOX_COUNT} sandboxes one transaction each (synchronous=NORMAL, the default) in ${insertMs.toFixed(0)} ms`);

      let listed = 0;
      const listAll = measure(() => void store.listSandboxes().then((records) => (listed = records.length)));
      await Promise.resolve();
      assert.equal(listed, SANDBOX_COUNT);
      const selector = parseLabelSelector('app=web,team in (t0,t2,t4)');
      const listSelected = measure(() => void store.listSandboxes({ labelSelector: selector }));
      const page = measure(() => void store.listSandboxes({ limit: 100, offset: 500 }));
      t.diagnostic(
        `ListSandboxes median / min of ${RUNS} runs: all ${SANDBOX_COUNT} incl. decode ${listAll}; ` +
          `label selector (300 match) ${listSelected}; page of 100 ${page} (target: well under 20 ms)`,
      );
      assert.equal((await store.listSandboxes({ labelSelector: selector })).length, 300);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
