import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { deriveBackendPhase, readSandboxOwnership, toSandboxLabels } from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox } from '@shellgate/driver-sdk';

import type { ContainerInfo, ContainerState } from '../payload/container-info.js';
import { toContainerConditions, toContainerSandbox } from './container-conditions.js';

function info(state: ContainerState, overrides: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: 'c1',
    name: 'shellgate-x',
    labels: toSandboxLabels({ sandboxId: 'sbx-1', sandboxName: 'box', workspace: 'ws', namespace: 'ns', gatewayId: 'gw-1' }),
    state,
    exitCode: 0,
    isOomKilled: false,
    error: '',
    ...overrides,
  };
}

function toDriverSandbox(container: ContainerInfo, isStoppedByUs: boolean, previous?: readonly DriverCondition[]): DriverSandbox {
  return toContainerSandbox(container, readSandboxOwnership(container.labels), isStoppedByUs, previous);
}

function summarize(state: ContainerState, isStoppedByUs = false, overrides: Partial<ContainerInfo> = {}): string {
  const [ready, suspended] = toContainerConditions(info(state, overrides), isStoppedByUs);
  return `${ready?.status} ${ready?.reason} / Suspended=${suspended?.status}`;
}

void describe('container state → conditions', () => {
  const table: [ContainerState, boolean, string, string][] = [
    ['running', false, 'True Running / Suspended=False', 'Ready'],
    ['created', false, 'False ContainerCreated / Suspended=False', 'Provisioning'],
    ['restarting', false, 'False Starting / Suspended=False', 'Provisioning'],
    ['exited', false, 'False ContainerExited / Suspended=False', 'Error'],
    ['exited', true, 'False NotRunning / Suspended=True', 'Stopped'],
    ['created', true, 'False NotRunning / Suspended=True', 'Stopped'],
    ['paused', false, 'False NotRunning / Suspended=True', 'Stopped'],
    ['dead', false, 'False ContainerExited / Suspended=False', 'Error'],
  ];
  for (const [state, isStoppedByUs, expected, phase] of table) {
    void it(`${state}${isStoppedByUs ? ' (stopped by us)' : ''} → ${expected} → ${phase}`, () => {
      assert.equal(summarize(state, isStoppedByUs), expected);
      assert.equal(deriveBackendPhase(toDriverSandbox(info(state), isStoppedByUs).status), phase);
    });
  }

  void it('names the exit code and an OOM kill in the ContainerExited message', () => {
    const [ready] = toContainerConditions(info('exited', { exitCode: 137, isOomKilled: true }), false);
    assert.equal(ready?.message, 'container exited with code 137 (killed: out of memory)');
  });

  void it('marks a container being removed as deleting', () => {
    const sandbox = toDriverSandbox(info('removing'), false);
    assert.equal(sandbox.status?.deleting, true);
    assert.equal(deriveBackendPhase(sandbox.status), 'Deleting');
  });

  void it('reads id, name, workspace and namespace from the owner and never echoes a spec', () => {
    const sandbox = toDriverSandbox(info('running'), false);
    assert.deepEqual([sandbox.id, sandbox.name, sandbox.workspace, sandbox.namespace, sandbox.status?.instanceId], ['sbx-1', 'box', 'ws', 'ns', 'c1']);
    assert.equal(sandbox.spec, undefined);
  });

  void it('keeps the transition time of an unchanged condition', () => {
    const first = toDriverSandbox(info('running'), false);
    const again = toDriverSandbox(info('running'), false, first.status?.conditions);
    assert.deepEqual(again.status?.conditions, first.status?.conditions);
  });
});
