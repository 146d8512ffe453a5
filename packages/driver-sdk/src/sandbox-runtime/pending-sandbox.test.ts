import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TerminalReason, TransientReason } from '../conditions/index.js';
import { buildTestSandbox } from '../testing/build-test-sandbox.js';
import { setPendingReady, toFailedPendingSandbox, toPendingDriverSandbox, toPendingSandbox } from './pending-sandbox.js';

const readyOf = (sandbox: ReturnType<typeof toPendingDriverSandbox>): string => {
  const ready = sandbox.status?.conditions.find((condition) => condition.type === 'Ready');
  return `${ready?.status} ${ready?.reason}: ${ready?.message}`;
};

describe('pending sandboxes', () => {
  it('a new create shows Ready=False Starting with what the driver is doing, not suspended', () => {
    const pending = toPendingSandbox(buildTestSandbox({ id: 'a', name: 'box', workspace: 'ws' }), 'accepted; preparing the VM', 'vm-a');
    const shown = toPendingDriverSandbox(pending);
    assert.equal(readyOf(shown), `False ${TransientReason.Starting}: accepted; preparing the VM`);
    assert.equal(shown.status?.instanceId, 'vm-a');
    assert.equal(shown.status?.conditions.find((condition) => condition.type === 'Suspended')?.status, 'False');
    assert.deepEqual([shown.id, shown.name, shown.workspace, shown.spec], ['a', 'box', 'ws', undefined]);
    setPendingReady(pending, TransientReason.Starting, 'booting');
    assert.equal(readyOf(toPendingDriverSandbox(pending)), `False ${TransientReason.Starting}: booting`);
  });

  it('a create that failed before a restart shows its failure from the state file', () => {
    const failure = { reason: TerminalReason.ImagePullFailed, message: 'no such image' };
    const pending = toFailedPendingSandbox({ id: 'b', name: 'b', namespace: '', workspace: 'default', isStoppedByUs: false, failure });
    assert.deepEqual(pending.failure, failure);
    assert.equal(readyOf(toPendingDriverSandbox(pending)), `False ${TerminalReason.ImagePullFailed}: no such image`);
    assert.equal(pending.instanceId, '');
  });

  it('shows a copy: changing what Get answered never changes the record', () => {
    const pending = toPendingSandbox(buildTestSandbox({ id: 'c' }), 'accepted');
    toPendingDriverSandbox(pending).status!.conditions[0]!.message = 'tampered';
    assert.equal(pending.conditions[0]!.message, 'accepted');
  });
});
