import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateSandboxRequest, SandboxPhase } from '@shellgate/api';
import { isSameStatus, toDriverSandbox, toNewSandbox, withBackendFields } from './sandbox-records.js';
import { parseCreateSandboxRequest } from './sandbox-request.js';
import { backendReadyStatus } from './testing/index.js';

const CAPS = { driverName: 'docker', driverVersion: '1', defaultImage: 'ghcr.io/x/default:1', gatewayManagesLifecycle: false };

function plan(partial: Parameters<typeof CreateSandboxRequest.fromPartial>[0]): ReturnType<typeof parseCreateSandboxRequest> {
  return parseCreateSandboxRequest(CreateSandboxRequest.fromPartial({ name: 'box', ...partial }), ['docker']);
}

describe('toNewSandbox', () => {
  it('fills id, time, workspace and Provisioning, and uses the driver default image when none is given', () => {
    const sandbox = toNewSandbox(plan({ labels: { a: 'b' } }), 'fake', CAPS, 1234);
    assert.match(sandbox.metadata!.id, /^[0-9a-f-]{36}$/);
    assert.equal(sandbox.metadata!.createdAtMs, 1234);
    assert.equal(sandbox.metadata!.workspace, 'default');
    assert.deepEqual(sandbox.metadata!.labels, { a: 'b' });
    assert.equal(sandbox.spec!.template!.image, CAPS.defaultImage);
    assert.equal(sandbox.status!.phase, SandboxPhase.SANDBOX_PHASE_PROVISIONING);
    assert.notEqual(toNewSandbox(plan({}), 'fake', CAPS, 0).metadata!.id, sandbox.metadata!.id);
  });

  it('keeps an image the user chose, and fills an empty one in an existing template', () => {
    assert.equal(toNewSandbox(plan({ spec: { template: { image: 'alpine:3' } } }), 'fake', CAPS, 0).spec!.template!.image, 'alpine:3');
    assert.equal(toNewSandbox(plan({ spec: { template: { image: '', labels: { x: 'y' } } } }), 'fake', CAPS, 0).spec!.template!.image, CAPS.defaultImage);
  });
});

describe('toDriverSandbox', () => {
  it('carries the token, the parsed resources and only the chosen driver\'s settings', () => {
    const p = plan({
      spec: {
        command: ['sleep', '1'],
        environment: { A: '1' },
        template: { resources: { limits: { memory: '1Gi' } }, driverConfig: { docker: { network: 'n1' } } },
      },
    });
    const sandbox = toNewSandbox(p, 'fake', CAPS, 0);
    const driver = toDriverSandbox(sandbox, p, 'tok');
    assert.equal(driver.id, sandbox.metadata!.id);
    assert.equal(driver.workspace, 'default');
    assert.equal(driver.spec!.sandboxToken, 'tok');
    assert.deepEqual(driver.spec!.command, ['sleep', '1']);
    assert.deepEqual(driver.spec!.environment, { A: '1' });
    assert.equal(driver.spec!.template!.image, CAPS.defaultImage);
    assert.deepEqual(driver.spec!.template!.resources, { cpuRequest: '', cpuLimit: '', memoryRequest: '', memoryLimit: '1Gi' });
    assert.deepEqual(driver.spec!.template!.driverConfig, { network: 'n1' });
  });
});

describe('withBackendFields and isSameStatus', () => {
  it('mirrors the backend instance and name, and a changed phase or condition is a different status', () => {
    const sandbox = toNewSandbox(plan({}), 'fake', CAPS, 0);
    const backend = { ...backendReadyStatus('ctr-1'), sandboxName: 'box-abc' };
    const next = withBackendFields(sandbox, backend, SandboxPhase.SANDBOX_PHASE_READY, backend.conditions);
    assert.equal(next.status!.agentPod, 'ctr-1');
    assert.equal(next.status!.sandboxName, 'box-abc');
    assert.equal(isSameStatus(sandbox, next), false);
    assert.equal(isSameStatus(next, withBackendFields(next, undefined, SandboxPhase.SANDBOX_PHASE_READY, backend.conditions)), true);
    const otherTime = backend.conditions.map((c) => ({ ...c, lastTransitionTime: 'later' }));
    assert.equal(isSameStatus(next, withBackendFields(next, backend, SandboxPhase.SANDBOX_PHASE_READY, otherTime)), true, 'only the time changed');
    const otherReason = backend.conditions.map((c) => ({ ...c, reason: 'Other' }));
    assert.equal(isSameStatus(next, withBackendFields(next, backend, SandboxPhase.SANDBOX_PHASE_READY, otherReason)), false);
  });
});
