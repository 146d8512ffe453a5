import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isSameSandboxState } from './is-same-sandbox-state.js';
import { watchedSandbox } from './testdata/watched-sandbox.js';

describe('isSameSandboxState', () => {
  it('ignores condition transition times and map key order', () => {
    const a = watchedSandbox('a', true, new Date('2025-01-01T00:00:00Z'));
    const b = watchedSandbox('a', true, new Date('2025-06-01T00:00:00Z'));
    b.spec!.environment = { B: '2', A: '1' };
    assert.equal(isSameSandboxState(a, b), true);
  });

  it('sees status, name, spec and condition reason changes', () => {
    const base = watchedSandbox('a');
    assert.equal(isSameSandboxState(base, watchedSandbox('a', true)), false);
    assert.equal(isSameSandboxState(base, { ...watchedSandbox('a'), name: 'other' }), false);
    const deleting = watchedSandbox('a');
    deleting.status!.deleting = true;
    assert.equal(isSameSandboxState(base, deleting), false);
    const reason = watchedSandbox('a');
    reason.status!.conditions[0]!.reason = 'ContainerStarting';
    assert.equal(isSameSandboxState(base, reason), false);
    const env = watchedSandbox('a');
    env.spec!.environment.C = '3';
    assert.equal(isSameSandboxState(base, env), false);
  });
});
