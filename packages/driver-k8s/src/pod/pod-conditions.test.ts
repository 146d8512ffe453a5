import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConditionType, TerminalReason, TransientReason, findCondition, isTransientReason } from '@shellgate/driver-sdk';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

import { PodReason, toPodConditions } from './pod-conditions.js';

const CREATED = new Date('2026-12-06T08:00:00Z');
const OPTIONS = { nowMs: CREATED.getTime() + 10_000, imagePullFailureMs: 60_000 };

function container(name: string, state: V1ContainerStatus['state']): V1ContainerStatus {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, state };
}

function podWith(status: V1Pod['status']): V1Pod {
  return { metadata: { name: 'p', creationTimestamp: CREATED }, spec: { containers: [], nodeName: 'node-1' }, status };
}

function readyOf(pod: V1Pod, options = OPTIONS): { status: string; reason: string; message: string } {
  const ready = findCondition(toPodConditions(pod, options), ConditionType.Ready);
  return { status: ready?.status ?? '', reason: ready?.reason ?? '', message: ready?.message ?? '' };
}

describe('toPodConditions', () => {
  it('Ready when the sandbox container runs', () => {
    assert.equal(readyOf(podWith({ phase: 'Running', containerStatuses: [container('sandbox', { running: {} })] })).status, 'True');
  });

  it('an unschedulable pod stays Provisioning with the scheduler message', () => {
    const ready = readyOf(podWith({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] }));
    assert.equal(ready.reason, TransientReason.DependenciesNotReady);
    assert.ok(isTransientReason(ready.reason));
    assert.match(ready.message, /Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/);
  });

  it('image pull failures: retried ones are transient until the bound, hopeless ones terminal at once', () => {
    const pulling = podWith({ phase: 'Pending', containerStatuses: [container('sandbox', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } })] });
    assert.equal(readyOf(pulling).reason, TransientReason.ContainerStarting);
    assert.equal(readyOf(pulling, { ...OPTIONS, nowMs: CREATED.getTime() + 61_000 }).reason, TerminalReason.ImagePullFailed);
    const never = podWith({ phase: 'Pending', initContainerStatuses: [container('shellgate-runtime', { waiting: { reason: 'ErrImageNeverPull', message: 'not present with pull policy Never' } })] });
    const ready = readyOf(never);
    assert.equal(ready.reason, TerminalReason.ImagePullFailed);
    assert.match(ready.message, /supervisor runtime init container/);
  });

  it('crash loops, OOM kills, exits, evictions and node loss are errors with their reason', () => {
    assert.equal(readyOf(podWith({ phase: 'Running', containerStatuses: [container('sandbox', { waiting: { reason: 'CrashLoopBackOff' } })] })).reason, PodReason.CrashLoopBackOff);
    assert.equal(readyOf(podWith({ phase: 'Failed', containerStatuses: [container('sandbox', { terminated: { exitCode: 137, reason: 'OOMKilled' } })] })).reason, PodReason.OOMKilled);
    const exited = readyOf(podWith({ phase: 'Failed', containerStatuses: [container('sandbox', { terminated: { exitCode: 3, reason: 'Error' } })] }));
    assert.equal(exited.reason, TerminalReason.ContainerExited);
    assert.match(exited.message, /code 3/);
    assert.equal(readyOf(podWith({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' })).reason, PodReason.Evicted);
    assert.equal(readyOf(podWith({ phase: 'Running', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }] })).reason, PodReason.NodeLost);
    for (const reason of [PodReason.CrashLoopBackOff, PodReason.OOMKilled, PodReason.Evicted, PodReason.NodeLost]) assert.equal(isTransientReason(reason), false);
  });

  it('a failed runtime init container is a start failure', () => {
    const ready = readyOf(podWith({ phase: 'Failed', initContainerStatuses: [container('shellgate-runtime', { terminated: { exitCode: 1, message: 'cp: no space' } })] }));
    assert.equal(ready.reason, TerminalReason.ContainerStartFailed);
  });

  it('a running container on a node that went NotReady is not Ready, but not an error yet', () => {
    const ready = readyOf(podWith({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady' }], containerStatuses: [container('sandbox', { running: {} })] }));
    assert.equal(ready.status, 'False');
    assert.ok(isTransientReason(ready.reason));
  });
});
