import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';
import { RecordingLogger } from '@shellgate/driver-sdk/testing';

import { detectPodmanHost } from './podman-host.js';

void describe('podman socket discovery', () => {
  void it('uses podman_socket when set, then CONTAINER_HOST', () => {
    const logger = new RecordingLogger();
    const env = { CONTAINER_HOST: 'unix:///from/env.sock', XDG_RUNTIME_DIR: '/run/user/1000' };
    assert.equal(detectPodmanHost({ configured: '/custom/podman.sock', env, logger, isSocket: () => true }).endpoint, 'unix:///custom/podman.sock');
    assert.equal(detectPodmanHost({ configured: undefined, env, logger, isSocket: () => true }).endpoint, 'unix:///from/env.sock');
    assert.throws(() => detectPodmanHost({ configured: undefined, env: { CONTAINER_HOST: 'ssh://me@host/run/podman/podman.sock' }, logger }), {
      code: ErrorCode.InvalidArgument,
      message: /^CONTAINER_HOST "ssh:\/\/me@host\/run\/podman\/podman\.sock" uses an unsupported scheme ssh:/,
    });
  });

  void it('tries the rootless socket, then the rootful one, logging each skip', () => {
    const logger = new RecordingLogger();
    const seen: string[] = [];
    const host = detectPodmanHost({ configured: '', env: { XDG_RUNTIME_DIR: '/run/user/1000' }, logger, isSocket: (path) => (seen.push(path), path === '/run/podman/podman.sock') });
    assert.deepEqual(seen, ['/run/user/1000/podman/podman.sock', '/run/podman/podman.sock']);
    assert.equal(host.endpoint, 'unix:///run/podman/podman.sock');
    const skips = logger.at('debug', /^engine host strategy skipped$/).map((line) => line.fields['strategy']);
    assert.deepEqual(skips, ['container-host', 'rootless']);
  });

  void it('fails listing every attempt, with the command that starts a service', () => {
    assert.throws(() => detectPodmanHost({ configured: undefined, env: {}, logger: new RecordingLogger(), isSocket: () => false }), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.FailedPrecondition);
      assert.equal(error.message, 'no Podman engine socket found (tried container-host: CONTAINER_HOST is not set; rootless: its directory is not known in this environment; rootful: /run/podman/podman.sock is not a socket)');
      assert.match(error.hint ?? '', /podman system service --time=0/);
      return true;
    });
  });
});
