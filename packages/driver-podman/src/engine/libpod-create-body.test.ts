import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toLibpodCreateBody } from './libpod-create-body.js';
import type { PodmanCreateSpec } from './podman-engine.js';

const SPEC: PodmanCreateSpec = {
  name: 'shellgate-default-box-sbx1',
  imageId: 'c2cacd46b93c',
  entrypoint: ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'],
  command: ['--', 'sleep', '60'],
  user: '0:0',
  hasInit: true,
  isTty: false,
  env: { OPENSHELL_SANDBOX_ID: 'sbx1' },
  labels: { 'shellgate.dev/sandbox-id': 'sbx1' },
  network: { mode: 'bridge', networkName: 'shellgate' },
  hostEntries: ['host.openshell.internal:10.89.0.1'],
  mounts: [
    { type: 'bind', source: '/state/token', target: '/run/shellgate/sandbox-token', isReadOnly: false },
    { type: 'bind', source: '/runtime', target: '/opt/shellgate/runtime', isReadOnly: true },
    { type: 'tmpfs', target: '/scratch', isReadOnly: false },
    { type: 'volume', source: 'cache', target: '/cache', isReadOnly: true },
    { type: 'volume', target: '/anon', isReadOnly: false },
  ],
  cpuMillicores: 500,
  memoryBytes: 67_108_864,
  pidsLimit: 64,
  cdiDevices: ['nvidia.com/gpu=0'],
  userns: '',
  stopTimeoutSeconds: 45,
};

void describe('toLibpodCreateBody', () => {
  // The shape a Podman 4.3.1 service was seen to honour (container-engine's podman-4.3
  // fixtures were captured from such a create): limits in the cgroup, init as PID 1.
  void it('writes the spec generator fields Podman 4.3 reads', () => {
    assert.deepEqual(toLibpodCreateBody(SPEC), {
      name: 'shellgate-default-box-sbx1',
      image: 'c2cacd46b93c',
      entrypoint: SPEC.entrypoint,
      command: ['--', 'sleep', '60'],
      user: '0:0',
      init: true,
      terminal: false,
      stdin: false,
      env: { OPENSHELL_SANDBOX_ID: 'sbx1' },
      labels: { 'shellgate.dev/sandbox-id': 'sbx1' },
      restart_policy: 'no',
      stop_timeout: 45,
      netns: { nsmode: 'bridge' },
      Networks: { shellgate: {} },
      hostadd: ['host.openshell.internal:10.89.0.1'],
      mounts: [
        { type: 'bind', source: '/state/token', destination: '/run/shellgate/sandbox-token', options: ['rw'] },
        { type: 'bind', source: '/runtime', destination: '/opt/shellgate/runtime', options: ['ro'] },
        { type: 'tmpfs', source: 'tmpfs', destination: '/scratch', options: ['rw'] },
      ],
      volumes: [
        { Name: 'cache', Dest: '/cache', Options: ['ro'] },
        { Name: '', Dest: '/anon', Options: ['rw'], IsAnonymous: true },
      ],
      resource_limits: { cpu: { quota: 50_000, period: 100_000 }, memory: { limit: 67_108_864 }, pids: { limit: 64 } },
      devices: [{ path: 'nvidia.com/gpu=0' }],
    });
  });

  void it('leaves out what is unset: the image\'s own command, no limits, user-mode networking, a user namespace', () => {
    const body = toLibpodCreateBody({ ...SPEC, entrypoint: [], command: [], user: '', network: { mode: 'slirp4netns' }, hostEntries: [], mounts: [], cpuMillicores: 0, memoryBytes: 0, pidsLimit: 0, cdiDevices: [], userns: 'keep-id' });
    for (const key of ['entrypoint', 'command', 'user', 'Networks', 'devices']) assert.equal(key in body, false, key);
    assert.deepEqual([body['netns'], body['resource_limits'], body['userns']], [{ nsmode: 'slirp4netns' }, {}, { nsmode: 'keep-id' }]);
  });
});
