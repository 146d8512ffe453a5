import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GATEWAY_STATE_DIR_ENV, resolveConfig } from '@shellgate/driver-sdk';

import { dockerDriverConfig } from './config.js';
import { toDockerDriverSettings } from './create-docker-driver.js';

const RUNTIME = { hostDir: '/srv/runtime/abc', entrypoint: ['/opt/shellgate/runtime/bin/node'], supervisorVersion: '0.1.0' };

void describe('toDockerDriverSettings', () => {
  void it('protects every sandbox token, the gateway key, the runtime and the engine socket from bind mounts', () => {
    const config = resolveConfig(dockerDriverConfig, { env: { [GATEWAY_STATE_DIR_ENV]: '/var/lib/shellgate' }, flags: [] });
    const settings = toDockerDriverSettings(config, { stateDir: '/srv/state', host: { kind: 'unix', socketPath: '/srv/docker.sock', endpoint: 'unix:///srv/docker.sock' }, supervisorRuntime: RUNTIME });
    assert.deepEqual(
      settings.bindMounts.protectedHostPaths.map((entry) => entry.path),
      ['/srv/state', '/var/lib/shellgate', '/srv/runtime/abc', '/srv/docker.sock'],
    );
    assert.equal(settings.bindMounts.isEngineLocal, true);
    assert.equal(settings.allowSandboxToSandbox, false, 'sandboxes are isolated unless the operator opts in');
  });

  void it('knows a tcp engine is not on the driver\'s file system', () => {
    const config = resolveConfig(dockerDriverConfig, { flags: [] });
    const host = { kind: 'tcp', hostname: 'engine', port: 2375, protocol: 'http', endpoint: 'tcp://engine:2375' } as const;
    const settings = toDockerDriverSettings(config, { stateDir: '/srv/state', host, supervisorRuntime: undefined });
    assert.deepEqual(settings.bindMounts, { protectedHostPaths: [{ path: '/srv/state', role: "the driver's state directory (every sandbox's token)" }], isEngineLocal: false, engineName: 'Docker' });
  });
});
