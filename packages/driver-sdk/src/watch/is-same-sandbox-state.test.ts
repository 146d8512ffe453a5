import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readyCondition } from '../conditions/conditions.js';
import { DriverSandbox } from '../gen/compute_driver.js';
import { isSameSandboxState } from './is-same-sandbox-state.js';

function sandbox(id: string, ready = false, now = new Date('2025-01-01T00:00:00Z')): DriverSandbox {
  return DriverSandbox.fromPartial({
    id,
    name: id,
    spec: { environment: { A: '1', B: '2' } },
    status: { sandboxName: id, conditions: [readyCondition(ready, ready ? 'Running' : 'Starting', '', now)] },
  });
}

describe('isSameSandboxState', () => {
  it('ignores condition transition times and map key order', () => {
    const a = sandbox('a', true, new Date('2025-01-01T00:00:00Z'));
    const b = sandbox('a', true, new Date('2025-06-01T00:00:00Z'));
    b.spec!.environment = { B: '2', A: '1' };
    assert.equal(isSameSandboxState(a, b), true);
  });

  it('sees status, name, spec and condition reason changes', () => {
    const base = sandbox('a');
    assert.equal(isSameSandboxState(base, sandbox('a', true)), false);
    assert.equal(isSameSandboxState(base, { ...sandbox('a'), name: 'other' }), false);
    const deleting = sandbox('a');
    deleting.status!.deleting = true;
    assert.equal(isSameSandboxState(base, deleting), false);
    const reason = sandbox('a');
    reason.status!.conditions[0]!.reason = 'ContainerStarting';
    assert.equal(isSameSandboxState(base, reason), false);
    const env = sandbox('a');
    env.spec!.environment.C = '3';
    assert.equal(isSameSandboxState(base, env), false);
  });
});
