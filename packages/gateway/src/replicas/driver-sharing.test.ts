import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import type { DriverKind } from '../drivers/index.js';
import { assertDriversReplicable } from './driver-sharing.js';

const driver = (name: string, kind: DriverKind, sharedBackend?: unknown) => ({ spec: { name, kind, origin: `gateway.toml:1:drivers.${name}` }, sharedBackend });

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

void test('k8s is shared by default; docker, podman and vm are refused with where their sandboxes live', () => {
  assert.doesNotThrow(() => assertDriversReplicable([driver('k8s', 'builtin')]));
  assert.match(refusal(() => assertDriversReplicable([driver('docker', 'builtin')])), /driver "docker" .* cannot serve gateway replicas.*Docker engine of the host.*shared_backend = true/);
  assert.match(refusal(() => assertDriversReplicable([driver('podman', 'builtin')])), /Podman service of the host/);
  assert.match(refusal(() => assertDriversReplicable([driver('vm', 'builtin')])), /as VMs on the host/);
});

void test('shared_backend overrides the table both ways, and any other driver must say', () => {
  assert.doesNotThrow(() => assertDriversReplicable([driver('docker', 'builtin', true), driver('fake', 'command', true)]));
  assert.match(refusal(() => assertDriversReplicable([driver('k8s', 'builtin', false)])), /its table says shared_backend = false/);
  assert.match(refusal(() => assertDriversReplicable([driver('lxd', 'socket')])), /cannot tell whether every replica's instance of it sees the same sandboxes/);
  assert.match(refusal(() => assertDriversReplicable([driver('fake', 'command', 'yes')])), /shared_backend must be true or false/);
});
