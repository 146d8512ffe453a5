import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import { assertDriversReplicable, splitDriverSharing } from './driver-sharing.js';

const driver = (name: string, sharedBackend?: boolean) => ({ spec: { name, origin: `gateway.toml:1:drivers.${name}` }, sharedBackend });

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    assert.ok(isShellgateError(error));
    assert.ok(error.code === ErrorCode.FailedPrecondition || error.code === ErrorCode.InvalidArgument, error.code);
    return error.describe();
  }
  assert.fail('expected a refusal');
}

void test('k8s is shared by default, spawned or dialed; docker, podman and vm are refused with where their sandboxes live', () => {
  assert.doesNotThrow(() => assertDriversReplicable([driver('k8s')]));
  assert.match(refusal(() => assertDriversReplicable([driver('docker')])), /driver "docker" .* cannot serve gateway replicas.*Docker engine of the host.*shared_backend = true/);
  assert.match(refusal(() => assertDriversReplicable([driver('podman')])), /Podman service of the host/);
  assert.match(refusal(() => assertDriversReplicable([driver('vm')])), /as VMs on the host/);
});

void test('shared_backend overrides the table both ways, and any other driver must say', () => {
  assert.doesNotThrow(() => assertDriversReplicable([driver('docker', true), driver('fake', true)]));
  assert.match(refusal(() => assertDriversReplicable([driver('k8s', false)])), /its table says shared_backend = false/);
  assert.match(refusal(() => assertDriversReplicable([driver('lxd')])), /cannot tell whether every replica's instance of it sees the same sandboxes/);
});

void test('the gateway takes shared_backend out of every driver table, replicated or not, and checks its type', () => {
  const table = (driverConfig: Record<string, unknown>) => ({ name: 'fake', origin: 'gateway.toml:1:drivers.fake', driverConfig });
  assert.deepEqual(splitDriverSharing([table({ shared_backend: true, ready_delay_ms: 5 })]), [{ spec: table({ ready_delay_ms: 5 }), sharedBackend: true }]);
  assert.deepEqual(splitDriverSharing([table({ ready_delay_ms: 5 })]), [{ spec: table({ ready_delay_ms: 5 }), sharedBackend: undefined }]);
  assert.match(refusal(() => splitDriverSharing([table({ shared_backend: 'yes' })])), /drivers\.fake\.shared_backend must be true or false/);
});
