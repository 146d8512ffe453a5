import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { deriveBackendPhase } from './backend-phase.js';
import { TerminalReason, TransientReason, isTransientReason } from './condition-types.js';
import {
  backendNotReady,
  backendReady,
  buildCondition,
  findCondition,
  readyCondition,
  setCondition,
  suspendedCondition,
} from './conditions.js';
import type { DriverCondition } from '../gen/compute_driver.js';

const T0 = new Date('2025-01-02T03:04:05.000Z');
const T1 = new Date('2025-01-02T03:05:00.000Z');

function phaseOf(...conditions: DriverCondition[]): string {
  return deriveBackendPhase({ sandboxName: '', instanceId: '', agentFd: '', sandboxFd: '', conditions, deleting: false });
}

describe('condition builders', () => {
  it('readyCondition fills every field with an RFC 3339 time', () => {
    assert.deepEqual(readyCondition(false, 'Starting', 'pulling image', T0), {
      type: 'Ready',
      status: 'False',
      reason: 'Starting',
      message: 'pulling image',
      lastTransitionTime: '2025-01-02T03:04:05.000Z',
    });
    assert.equal(readyCondition(true, 'Running', '', T0).status, 'True');
  });

  it('defaults the time to now', () => {
    const before = Date.now();
    const time = Date.parse(readyCondition(true, 'Running').lastTransitionTime);
    assert.ok(time >= before && time <= Date.now());
  });

  it('backendReady and backendNotReady produce the phases the gateway expects', () => {
    assert.deepEqual(backendReady(undefined, undefined, T0), readyCondition(true, 'Running', '', T0));
    assert.equal(phaseOf(backendReady()), 'Ready');
    assert.equal(phaseOf(backendNotReady(TransientReason.ContainerStarting, 'starting')), 'Provisioning');
    assert.equal(phaseOf(backendNotReady(TerminalReason.ImagePullFailed, 'no such image')), 'Error');
    assert.equal(backendNotReady('ContainerExited', 'exit 1', T0).message, 'exit 1');
  });

  it('suspendedCondition makes the phase Stopped only when true', () => {
    assert.equal(suspendedCondition(true, undefined, undefined, T0).reason, 'Stopped');
    assert.equal(phaseOf(suspendedCondition(true), backendReady()), 'Stopped');
    assert.equal(phaseOf(suspendedCondition(false), backendReady()), 'Ready');
  });

  it('buildCondition builds any type', () => {
    assert.deepEqual(buildCondition({ type: 'Scheduled', status: 'Unknown', reason: 'Queued', now: T0 }), {
      type: 'Scheduled',
      status: 'Unknown',
      reason: 'Queued',
      message: '',
      lastTransitionTime: T0.toISOString(),
    });
  });
});

describe('isTransientReason', () => {
  it('matches the documented list case-insensitively and nothing else', () => {
    assert.equal(isTransientReason('SupervisorNotConnected'), true);
    assert.equal(isTransientReason('supervisornotconnected'), true);
    assert.equal(isTransientReason('INSPECTFAILED'), true);
    assert.equal(isTransientReason('ImagePullFailed'), false);
    assert.equal(isTransientReason(''), false);
    assert.equal(isTransientReason('Starting '), false);
  });
});

describe('setCondition', () => {
  it('appends a new type and replaces an existing one without mutating the input', () => {
    const original = [readyCondition(false, 'Starting', '', T0)];
    const withSuspended = setCondition(original, suspendedCondition(false, undefined, '', T0));
    assert.equal(withSuspended.length, 2);
    assert.equal(original.length, 1);
    const ready = setCondition(withSuspended, readyCondition(true, 'Running', '', T1));
    assert.deepEqual(findCondition(ready, 'Ready'), readyCondition(true, 'Running', '', T1));
    assert.equal(ready.length, 2);
    assert.equal(original[0]?.status, 'False');
  });

  it('keeps the transition time when the status is unchanged', () => {
    const conditions = [readyCondition(false, 'Starting', 'a', T0)];
    const next = setCondition(conditions, readyCondition(false, 'ContainerStarting', 'b', T1));
    assert.deepEqual(next, [
      { type: 'Ready', status: 'False', reason: 'ContainerStarting', message: 'b', lastTransitionTime: T0.toISOString() },
    ]);
  });

  it('findCondition matches the type exactly and returns the first', () => {
    const first = readyCondition(true, 'A', '', T0);
    assert.equal(findCondition([first, readyCondition(false, 'B', '', T0)], 'Ready'), first);
    assert.equal(findCondition([first], 'ready'), undefined);
  });
});
