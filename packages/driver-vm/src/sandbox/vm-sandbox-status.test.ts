import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { VmSandboxRecord } from '../state.js';
import type { VmExit } from '../vm/running-vm.js';
import { describeVmExit } from './describe-vm-exit.js';
import { UNKNOWN_EXIT_MESSAGE, toVmConditions, toVmDriverSandbox } from './vm-sandbox-status.js';

const RECORD: VmSandboxRecord = { id: 'sb', name: 'box', namespace: 'ns', workspace: 'ws', isStoppedByUs: false, gatewayId: 'gw' };
const EXIT: VmExit = { qemuExitCode: 0, signal: null, entrypointExitCode: undefined, consoleTail: ['a', 'b', 'c', 'Kernel panic'], atMs: 1 };

function summary(record: VmSandboxRecord, isRunning: boolean): string[] {
  return toVmConditions(record, isRunning).map((condition) => `${condition.type}=${condition.status} ${condition.reason}: ${condition.message}`);
}

describe('VM sandbox status', () => {
  it('is Ready while QEMU runs, Suspended when we stopped it, and ended with the reason otherwise', () => {
    assert.deepEqual(summary(RECORD, true), ['Ready=True Running: ', 'Suspended=False NotSuspended: ']);
    assert.deepEqual(summary({ ...RECORD, isStoppedByUs: true }, false)[1], 'Suspended=True Stopped: stopped on request; the VM\'s disks are kept');
    assert.deepEqual(summary({ ...RECORD, lastExit: { message: 'gone', atMs: 1 } }, false)[0], 'Ready=False ContainerExited: gone');
    assert.deepEqual(summary(RECORD, false)[0], `Ready=False ContainerExited: ${UNKNOWN_EXIT_MESSAGE}`);
  });

  it('names the sandbox from its record and never echoes a spec', () => {
    const sandbox = toVmDriverSandbox(RECORD, 'vm-1', true);
    assert.deepEqual([sandbox.id, sandbox.name, sandbox.status?.sandboxName, sandbox.status?.instanceId, sandbox.spec], ['sb', 'box', 'box', 'vm-1', undefined]);
  });

  it('says how a VM ended', () => {
    assert.equal(describeVmExit({ ...EXIT, entrypointExitCode: 3 }), 'the VM powered off after its entrypoint exited with code 3');
    assert.equal(describeVmExit({ ...EXIT, qemuExitCode: null, signal: 'SIGKILL' }), 'QEMU was killed by SIGKILL; last console lines: b | c | Kernel panic');
    assert.match(describeVmExit({ ...EXIT, qemuExitCode: 1, consoleTail: [] }), /^QEMU exited with code 1$/);
    assert.match(describeVmExit({ ...EXIT, qemuExitCode: null }), /exit status is unknown because an earlier driver process started it/);
    assert.match(describeVmExit(EXIT), /^the VM powered off before its entrypoint ended; last console lines/);
  });
});
