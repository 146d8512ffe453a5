import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { VmExit, VmHandle } from './running-vm.js';
import { VmTable } from './vm-table.js';
import type { VmTableEvent } from './vm-table.js';

const EXIT: VmExit = { qemuExitCode: 0, signal: null, entrypointExitCode: 3, consoleTail: [], atMs: 1 };

function fakeVm(sandboxId: string): VmHandle & { end: () => void } {
  let end: (exit: VmExit) => void = () => undefined;
  const exited = new Promise<VmExit>((resolve) => (end = resolve));
  let isRunning = true;
  return {
    sandboxId,
    identity: { pid: 1, startTicks: 1 },
    runDir: '/run/x',
    exited,
    get isRunning() {
      return isRunning;
    },
    stop: () => exited,
    kill: () => exited,
    detach: () => undefined,
    end: () => {
      isRunning = false;
      end(EXIT);
    },
  };
}

async function take(events: AsyncGenerator<VmTableEvent | 'gap'>, count: number): Promise<(VmTableEvent | 'gap')[]> {
  const taken: (VmTableEvent | 'gap')[] = [];
  for await (const event of events) {
    taken.push(event);
    if (taken.length === count) break;
  }
  return taken;
}

describe('VmTable', () => {
  it('streams starts, QMP events and exits, an exit only once onExit has recorded it', async () => {
    const recorded: string[] = [];
    const table = new VmTable(async (vm, exit) => {
      recorded.push(`${vm.sandboxId}:${exit.entrypointExitCode}`);
    });
    const abort = new AbortController();
    const events = table.events(abort.signal);
    const pending = take(events, 3);
    const vm = fakeVm('a');
    table.add(vm);
    assert.equal(table.isRunning('a'), true);
    table.publishQmpEvent('a', { event: 'SHUTDOWN', data: { reason: 'guest-reset' } });
    vm.end();
    const [started, qmp, exited] = await pending;
    assert.deepEqual(started, { type: 'started', sandboxId: 'a' });
    assert.deepEqual(qmp, { type: 'qmp', sandboxId: 'a', event: { event: 'SHUTDOWN', data: { reason: 'guest-reset' } } });
    assert.deepEqual(exited, { type: 'exited', sandboxId: 'a', exit: EXIT });
    assert.deepEqual(recorded, ['a:3'], 'recorded before the exit was streamed');
    assert.equal(table.get('a'), undefined);
    abort.abort();
  });

  it('ends a subscription when its signal aborts', async () => {
    const table = new VmTable(async () => undefined);
    const abort = new AbortController();
    const events = table.events(abort.signal);
    const next = events.next();
    abort.abort();
    assert.deepEqual(await next, { value: undefined, done: true });
  });
});
