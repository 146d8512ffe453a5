import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toContainerDriverSettings } from './container-driver-settings.js';
import type { ContainerDriverConfig } from './container-driver-settings.js';

const CONFIG: ContainerDriverConfig = {
  default_image: 'busybox:latest',
  image_pull_policy: 'Never',
  network_name: 'shellgate',
  gateway_scheme: 'https',
  gateway_id: 'gw-1',
  host_gateway_ip: '',
  gateway_state_dir: '/var/lib/shellgate',
  supervisor_runtime_dir: undefined,
  pids_limit: 64,
  stop_timeout_seconds: 5,
  gateway_port: 18000,
  allow_sandbox_to_sandbox: false,
  allow_bind_mounts: true,
  expose_token_to_agent: false,
  supervisor_tls_ca_file: undefined,
  supervisor_tls_cert_file: undefined,
  supervisor_tls_key_file: undefined,
};
const HOST = { kind: 'unix', socketPath: '/run/podman/podman.sock', endpoint: 'unix:///run/podman/podman.sock' } as const;

describe('toContainerDriverSettings', () => {
  it('maps the shared keys to settings, an empty host_gateway_ip meaning the bridge gateway', () => {
    const settings = toContainerDriverSettings(CONFIG, { stateDir: '/srv/state', host: HOST, supervisorRuntime: undefined, engineName: 'Podman' });
    const { bindMounts, ...rest } = settings;
    assert.deepEqual(rest, {
      defaultImage: 'busybox:latest',
      imagePullPolicy: 'Never',
      networkName: 'shellgate',
      allowSandboxToSandbox: false,
      hostGatewayIp: undefined,
      pidsLimit: 64,
      stopTimeoutSeconds: 5,
      allowBindMounts: true,
      gatewayPort: 18000,
      gatewayScheme: 'https',
      gatewayId: 'gw-1',
      supervisorRuntime: undefined,
      isTokenExposedToAgent: false,
      supervisorTls: undefined,
    });
    assert.equal(toContainerDriverSettings({ ...CONFIG, host_gateway_ip: '10.0.0.1' }, { stateDir: '/srv/state', host: HOST, supervisorRuntime: undefined, engineName: 'Podman' }).hostGatewayIp, '10.0.0.1');
    assert.equal(bindMounts.engineName, 'Podman');
  });

  it("protects the driver's state, the gateway's state dir and the engine socket, named in the engine's words", () => {
    const { bindMounts } = toContainerDriverSettings(CONFIG, { stateDir: '/srv/state', host: HOST, supervisorRuntime: undefined, engineName: 'Podman' });
    assert.deepEqual(
      bindMounts.protectedHostPaths.map((entry) => [entry.path, entry.role]),
      [
        ['/srv/state', "the driver's state directory (every sandbox's token)"],
        ['/var/lib/shellgate', "the gateway's state directory (its signing key)"],
        ['/run/podman/podman.sock', 'the Podman socket this driver uses'],
      ],
    );
    assert.equal(bindMounts.isEngineLocal, true);
  });
});
