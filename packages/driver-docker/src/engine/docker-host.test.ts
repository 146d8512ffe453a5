import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, silentLogger } from '@shellgate/driver-sdk';

import { detectDockerHost, parseDockerHost } from './docker-host.js';

const base = { configured: undefined, env: { XDG_RUNTIME_DIR: '/run/user/1000' }, homeDir: '/home/me', logger: silentLogger };

void describe('docker host detection', () => {
  void it('uses docker_host when set (DOCKER_HOST arrives through config)', () => {
    const host = detectDockerHost({ ...base, configured: 'unix:///custom/docker.sock', isSocket: () => false });
    assert.deepEqual(host, { kind: 'unix', socketPath: '/custom/docker.sock', endpoint: 'unix:///custom/docker.sock' });
    assert.equal(parseDockerHost('tcp://10.0.0.5:2375').endpoint, 'tcp://10.0.0.5:2375');
    assert.throws(() => parseDockerHost('ssh://me@host'), { code: ErrorCode.InvalidArgument });
  });

  void it('tries rootful, then rootless, then Docker Desktop', () => {
    const seen: string[] = [];
    const host = detectDockerHost({ ...base, isSocket: (path) => (seen.push(path), path === '/home/me/.docker/run/docker.sock') });
    assert.deepEqual(seen, ['/var/run/docker.sock', '/run/user/1000/docker.sock', '/home/me/.docker/run/docker.sock']);
    assert.equal(host.endpoint, 'unix:///home/me/.docker/run/docker.sock');
  });

  void it('fails listing every attempt and why it was skipped', () => {
    assert.throws(() => detectDockerHost({ ...base, env: {}, isSocket: () => false }), (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.FailedPrecondition);
      assert.match(error.message, /rootful: \/var\/run\/docker\.sock is not a socket/);
      assert.match(error.message, /rootless: its directory is not known/);
      assert.match(error.message, /docker-desktop: \/home\/me\/\.docker\/run\/docker\.sock is not a socket/);
      return true;
    });
  });
});
