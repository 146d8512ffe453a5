import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ContainerState, decodeContainerInspect } from './container-info.js';
import { LIBPOD_CONTAINER_INSPECT } from './testdata/libpod-payloads.js';
import { readDockerFixture } from './testdata/read-fixture.js';

void describe('decodeContainerInspect', () => {
  void it('reads a running Docker 20.10 container', () => {
    const info = decodeContainerInspect(readDockerFixture('container-running.json'));
    assert.equal(info.id, '1cbe65e65c12d54865f4ed55490ee52a1f74c9950657d7b740f755f3799b2bec');
    assert.equal(info.name, 'engine-fixture-4461', 'without the leading slash');
    assert.equal(info.state, ContainerState.Running);
    assert.equal(info.exitCode, 0);
    assert.equal(info.isOomKilled, false);
    assert.equal(info.error, '');
    assert.equal(info.labels['dev.shellgate.sandbox-id'], 'sbx-fixture-1');
    assert.equal(info.labels['dev.shellgate.sandbox-name'], 'fixture');
  });

  void it('reads an exited Docker 20.10 container with its exit code', () => {
    const info = decodeContainerInspect(readDockerFixture('container-exited.json'));
    assert.equal(info.name, 'engine-fixture-4461-exit');
    assert.equal(info.state, ContainerState.Exited);
    assert.equal(info.exitCode, 3);
    assert.equal(info.labels['dev.shellgate.sandbox-id'], 'sbx-fixture-2');
  });

  void it("reads libpod's inspect, its states in Docker's words as Podman's compat tree says them", () => {
    const info = decodeContainerInspect(LIBPOD_CONTAINER_INSPECT);
    assert.equal(info.name, 'engine-fixture-libpod');
    assert.equal(info.state, ContainerState.Exited, 'libpod "stopped"');
    assert.equal(info.exitCode, 137);
    assert.deepEqual(info.labels, { 'dev.shellgate.sandbox-id': 'sbx-fixture-3', 'dev.shellgate.sandbox-name': 'fixture' });
    const withStatus = (Status: string) => decodeContainerInspect({ ...LIBPOD_CONTAINER_INSPECT, State: { ...LIBPOD_CONTAINER_INSPECT.State, Status } }).state;
    assert.equal(withStatus('configured'), ContainerState.Created);
    assert.equal(withStatus('stopping'), ContainerState.Running);
    assert.equal(withStatus('unknown'), 'unknown', 'an unknown state passes through for the driver to report');
  });

  void it('reads a missing or malformed answer as empty fields, never throwing', () => {
    assert.deepEqual(decodeContainerInspect(null), { id: '', name: '', labels: {}, state: ContainerState.Dead, exitCode: 0, isOomKilled: false, error: '' });
    const info = decodeContainerInspect({ Id: 'c1', State: { Status: 'dead', ExitCode: '1', Error: 'oci error' }, Config: { Labels: { a: 'x', b: 2 } } });
    assert.equal(info.exitCode, 0, 'a non-number exit code reads as 0');
    assert.equal(info.error, 'oci error');
    assert.deepEqual(info.labels, { a: 'x' });
  });
});
