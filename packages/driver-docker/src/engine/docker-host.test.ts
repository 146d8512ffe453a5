import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, silentLogger } from '@shellgate/driver-sdk';

import { detectDockerHost } from './docker-host.js';

const base = { configured: undefined, env: { XDG_RUNTIME_DIR: '/run/user/1000' }, homeDir: '/home/me', logger: silentLogger };

void describe('docker host detection', () => {
  void it('uses docker_host when set (DOCKER_HOST arrives through config)', () => {
    const host = detectDockerHost({ ...base, configured: 'unix:///custom/docker.sock', isSocket: () => false });
    assert.deepEqual(host, { kind: 'unix', socketPath: '/custom/docker.sock', endpoint: 'unix:///custom/docker.sock' });
    assert.equal(detectDockerHost({ ...base, configured: 'tcp://10.0.0.5' }).endpoint, 'tcp://10.0.0.5:2375');
    assert.throws(() => detectDockerHost({ ...base, configured: 'ssh://me@host' }), {
      code: ErrorCode.InvalidArgument,
      message: 'docker_host "ssh://me@host" uses an unsupported scheme ssh:',
      hint: 'use unix:///var/run/docker.sock or tcp://HOST:PORT (TLS and ssh are not supported)',
    });
  });

  void it('tries rootful, then rootless, then Docker Desktop', () => {
    const seen: string[] = [];
    const host = detectDockerHost({ ...base, isSocket: (path) => (seen.push(path), path === '/home/me/.docker/run/docker.sock') });
    assert.deepEqual(seen, ['/var/run/docker.sock', '/run/user/1000/docker.sock', '/home/me/.docker/run/docker.sock']);
    assert.equal(host.endpoint, 'unix:///home/me/.docker/run/docker.sock');
  });

  void it('fails listing every attempt and why it was skipped, in Docker words', () => {
    assert.throws(() => detectDockerHost({ ...base, env: {}, isSocket: () => false }), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.FailedPrecondition);
      assert.match(error.message, /^no Docker engine socket found \(tried /);
      assert.match(error.message, /rootful: \/var\/run\/docker\.sock is not a socket/);
      assert.match(error.message, /rootless: its directory is not known/);
      assert.match(error.message, /docker-desktop: \/home\/me\/\.docker\/run\/docker\.sock is not a socket/);
      assert.match(error.hint ?? '', /start dockerd, or set docker_host \/ DOCKER_HOST \/ --docker-host/);
      return true;
    });
  });
});
