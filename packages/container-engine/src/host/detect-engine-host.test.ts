import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, silentLogger } from '@shellgate/driver-sdk';
import { RecordingLogger } from '@shellgate/driver-sdk/testing';

import { PODMAN_NAMING } from '../testdata/podman-naming.js';
import { detectEngineHost, envEndpointStrategy, unixSocketStrategy } from './detect-engine-host.js';
import type { EngineHostStrategy } from './detect-engine-host.js';

/** The order a Podman driver would pass: CONTAINER_HOST, the rootless socket, the rootful one. */
function podmanStrategies(env: Readonly<Record<string, string | undefined>>, sockets: readonly string[]): EngineHostStrategy[] {
  const isSocket = (path: string) => sockets.includes(path);
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  return [
    envEndpointStrategy('container-host', 'CONTAINER_HOST', env, PODMAN_NAMING),
    unixSocketStrategy('rootless', runtimeDir === undefined ? undefined : `${runtimeDir}/podman/podman.sock`, isSocket),
    unixSocketStrategy('rootful', '/run/podman/podman.sock', isSocket),
  ];
}

void describe('detectEngineHost', () => {
  void it('uses the configured endpoint without trying any strategy', () => {
    const strategies = [{ name: 'never', find: () => assert.fail('a strategy was tried') }];
    const host = detectEngineHost({ naming: PODMAN_NAMING, configured: 'unix:///custom/podman.sock', strategies, logger: silentLogger });
    assert.equal(host.endpoint, 'unix:///custom/podman.sock');
  });

  void it('takes the first strategy that finds a host, logging each skip at debug', () => {
    const logger = new RecordingLogger();
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    const strategies = podmanStrategies(env, ['/run/user/1000/podman/podman.sock', '/run/podman/podman.sock']);
    const host = detectEngineHost({ naming: PODMAN_NAMING, configured: '', strategies, logger });
    assert.equal(host.endpoint, 'unix:///run/user/1000/podman/podman.sock', 'rootless before rootful');
    assert.deepEqual(logger.lines, [
      { level: 'debug', message: 'engine host strategy skipped', fields: { engine: 'podman', strategy: 'container-host', reason: 'CONTAINER_HOST is not set' } },
      { level: 'debug', message: 'engine host detected', fields: { engine: 'podman', strategy: 'rootless', endpoint: 'unix:///run/user/1000/podman/podman.sock' } },
    ]);
  });

  void it('reads an endpoint from an environment variable strategy', () => {
    const strategies = podmanStrategies({ CONTAINER_HOST: 'unix:///tmp/podman.sock' }, []);
    assert.equal(detectEngineHost({ naming: PODMAN_NAMING, configured: undefined, strategies, logger: silentLogger }).endpoint, 'unix:///tmp/podman.sock');
    const bad = podmanStrategies({ CONTAINER_HOST: 'ssh://core@127.0.0.1:2222/run/podman/podman.sock' }, []);
    assert.throws(() => detectEngineHost({ naming: PODMAN_NAMING, configured: undefined, strategies: bad, logger: silentLogger }), {
      code: ErrorCode.InvalidArgument,
      message: /^CONTAINER_HOST "ssh:/,
    });
  });

  void it('fails listing every attempt and why it was skipped', () => {
    assert.throws(
      () => detectEngineHost({ naming: PODMAN_NAMING, configured: undefined, strategies: podmanStrategies({}, []), logger: silentLogger }),
      (error: Error & { code?: string; attempts?: readonly string[] }) => {
        assert.equal(error.code, ErrorCode.FailedPrecondition);
        assert.deepEqual(error.attempts, [
          'container-host: CONTAINER_HOST is not set',
          'rootless: its directory is not known in this environment',
          'rootful: /run/podman/podman.sock is not a socket',
        ]);
        assert.match(error.message, /^no Podman engine socket found \(tried container-host: CONTAINER_HOST is not set; rootless: /);
        return true;
      },
    );
  });
});
