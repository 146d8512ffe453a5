import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ContainerState, decodeContainerInspect } from './container-info.js';
import { readDockerFixture, readPodmanFixture } from './testdata/read-fixture.js';

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

  void it('reads a running Podman 4.3 container from libpod', () => {
    const info = decodeContainerInspect(readPodmanFixture('container-running.json'));
    assert.equal(info.id, '82806ef42a83ad8885fc8188caf1e564dc414b12f46289e05470365413e5b6cd');
    assert.equal(info.name, 'sg-capture-running', 'libpod names have no slash');
    assert.equal(info.state, ContainerState.Running);
    assert.equal(info.labels['shellgate.dev/sandbox-id'], 'cap-1');
  });

  void it('reads stopped, exited and created Podman 4.3 containers with their exit codes', () => {
    const stopped = decodeContainerInspect(readPodmanFixture('container-stopped.json'));
    assert.deepEqual([stopped.state, stopped.exitCode], [ContainerState.Exited, 143], 'podman stop: SIGTERM through the init');
    const exited = decodeContainerInspect(readPodmanFixture('container-exited.json'));
    assert.deepEqual([exited.state, exited.exitCode], [ContainerState.Exited, 3]);
    assert.equal(decodeContainerInspect(readPodmanFixture('container-created.json')).state, ContainerState.Created);
  });

  void it("reads libpod's own states in Docker's words, as Podman's compat tree says them", () => {
    const inspect = readPodmanFixture('container-stopped.json') as { State: Record<string, unknown> };
    const withStatus = (Status: string) => decodeContainerInspect({ ...inspect, State: { ...inspect.State, Status } }).state;
    assert.equal(withStatus('configured'), ContainerState.Created);
    assert.equal(withStatus('stopping'), ContainerState.Running);
    assert.equal(withStatus('stopped'), ContainerState.Exited);
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
