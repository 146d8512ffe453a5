import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';

import { PODMAN_NAMING } from '../testdata/podman-naming.js';
import { parseEngineHost } from './engine-host.js';

void describe('parseEngineHost', () => {
  void it('reads unix:// URLs and bare socket paths', () => {
    const expected = { kind: 'unix', socketPath: '/run/podman/podman.sock', endpoint: 'unix:///run/podman/podman.sock' };
    assert.deepEqual(parseEngineHost('unix:///run/podman/podman.sock', PODMAN_NAMING), expected);
    assert.deepEqual(parseEngineHost('/run/podman/podman.sock', PODMAN_NAMING), expected);
  });

  void it("reads tcp:// and http:// as plain HTTP, with the engine's default port when none is given", () => {
    assert.deepEqual(parseEngineHost('tcp://10.0.0.5:2375', PODMAN_NAMING), { kind: 'tcp', hostname: '10.0.0.5', port: 2375, protocol: 'http', endpoint: 'tcp://10.0.0.5:2375' });
    assert.equal(parseEngineHost('http://engine.local', PODMAN_NAMING).endpoint, 'tcp://engine.local:8080');
  });

  void it('refuses what is not a URL and unsupported schemes, naming the source and an example', () => {
    assert.throws(() => parseEngineHost('not a url', PODMAN_NAMING), {
      code: ErrorCode.InvalidArgument,
      message: 'podman_socket "not a url" is not a URL',
      hint: 'use unix:///run/podman/podman.sock or tcp://HOST:PORT',
    });
    assert.throws(() => parseEngineHost('ssh://me@host/run/podman/podman.sock', PODMAN_NAMING, 'CONTAINER_HOST'), {
      code: ErrorCode.InvalidArgument,
      message: 'CONTAINER_HOST "ssh://me@host/run/podman/podman.sock" uses an unsupported scheme ssh:',
      hint: 'use unix:///run/podman/podman.sock or tcp://HOST:PORT (TLS and ssh are not supported)',
    });
    assert.throws(() => parseEngineHost('https://engine:2376', PODMAN_NAMING), { code: ErrorCode.InvalidArgument });
  });
});
