import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { DriverSandbox, WatchSandboxesEvent } from '../gen/compute_driver.js';
import { silentLogger } from '../logging/logger.js';
import type { CallContext } from '../server/index.js';
import { FakeDriver } from './fake-driver.js';
import { parseFakeDriverScript } from './parse-fake-driver-script.js';

function sandbox(id: string): DriverSandbox {
  return {
    id,
    name: id,
    namespace: '',
    workspace: '',
    status: undefined,
    spec: { logLevel: '', environment: {}, template: undefined, resourceRequirements: undefined, sandboxToken: 't', command: [], tty: false },
  };
}

/** Collects watch events until `until` holds, failing after `withinMs`. */
async function watchUntil(driver: FakeDriver, until: (events: WatchSandboxesEvent[]) => boolean, withinMs: number): Promise<WatchSandboxesEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), withinMs);
  const events: WatchSandboxesEvent[] = [];
  try {
    for await (const event of driver.watchSandboxes({}, { signal: controller.signal, logger: silentLogger, deadline: undefined })) {
      events.push(event);
      if (until(events)) return events;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  assert.fail(`watch condition not met within ${withinMs} ms; saw ${JSON.stringify(events.map((e) => e.payload?.$case))}`);
}

void test('two fake drivers on one shared_state_dir see each other\'s creates and deletes, in lists and watches', { timeout: 20_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fake-shared-'));
  const ctx: CallContext = { signal: new AbortController().signal, logger: silentLogger, deadline: undefined };
  const script = parseFakeDriverScript({ shared_state_dir: join(dir, 'state') });
  const a = await FakeDriver.create({ script });
  const b = await FakeDriver.create({ script });
  try {
    await a.createSandbox({ sandbox: sandbox('s1') }, ctx);
    const seen = await watchUntil(b, (events) => events.some((e) => e.payload?.$case === 'sandbox' && e.payload.sandbox.sandbox?.id === 's1'), 5_000);
    assert.ok(seen.length > 0);
    assert.deepEqual((await b.listSandboxes({}, ctx)).sandboxes.map((s) => s.id), ['s1']);
    await b.deleteSandbox({ sandboxId: 's1', sandboxName: '' }, ctx);
    await watchUntil(a, (events) => events.some((e) => e.payload?.$case === 'deleted' && e.payload.deleted.sandboxId === 's1'), 5_000);
    await delay(50);
    assert.deepEqual((await a.listSandboxes({}, ctx)).sandboxes, []);
  } finally {
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  }
});

void test('shared_state_dir excludes state_file', () => {
  assert.throws(() => parseFakeDriverScript({ shared_state_dir: '/tmp/x', state_file: '/tmp/y' }), /shared_state_dir.*excludes state_file/s);
});
