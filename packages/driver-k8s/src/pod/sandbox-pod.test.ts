import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DriverSandbox, SANDBOX_TOKEN_TARGET } from '@shellgate/driver-sdk';

import { ImagePullPolicy } from '../config.js';
import { EMPTY_K8S_DRIVER_OPTIONS, parseK8sDriverOptions } from './driver-config.js';
import { GPU_RESOURCE, RUNTIME_INIT_CONTAINER, SANDBOX_CONTAINER, WORKSPACE_TARGET, toSandboxPod } from './sandbox-pod.js';
import type { PodDefaults } from './sandbox-pod.js';

const DEFAULTS: PodDefaults = {
  namespace: 'sg',
  gatewayId: 'gw',
  defaultImage: 'busybox:1',
  imagePullPolicy: ImagePullPolicy.Never,
  gatewayEndpoint: 'http://10.244.0.1:17670',
  stopGraceSeconds: 10,
  dnsPolicy: 'Default',
  storageClass: undefined,
  supervisor: { runtimeImage: 'shellgate/supervisor-runtime:0.1.0', runtime: { hostDir: '/b', entrypoint: ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'], supervisorVersion: '0.1.0' } },
  isTokenExposedToAgent: false,
  supervisorTls: undefined,
};

const SANDBOX = DriverSandbox.fromPartial({
  id: '0123456789abcdef',
  name: 'box',
  workspace: 'ws',
  namespace: 'team',
  spec: {
    command: ['sh', '-c', 'echo hi'],
    tty: true,
    environment: { GREETING: 'hello' },
    resourceRequirements: { gpu: { count: 2 } },
    template: { image: 'alpine:3', resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '256Mi' } },
  },
});

describe('toSandboxPod', () => {
  it('names, labels, requests and limits, GPUs, and no cluster credentials or privileges', () => {
    const pod = toSandboxPod(SANDBOX, DEFAULTS, EMPTY_K8S_DRIVER_OPTIONS);
    assert.equal(pod.metadata?.name, 'shellgate-ws-box-01234567');
    assert.equal(pod.metadata?.labels?.['shellgate.dev/sandbox-id'], SANDBOX.id);
    assert.equal(pod.metadata?.labels?.['shellgate.dev/gateway-id'], 'gw');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.dnsPolicy, 'Default');
    const container = pod.spec?.containers.find((candidate) => candidate.name === SANDBOX_CONTAINER);
    assert.deepEqual(container?.resources, { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi', [GPU_RESOURCE]: '2' } });
    assert.equal(container?.image, 'alpine:3');
    assert.equal(container?.imagePullPolicy, 'Never');
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container?.securityContext?.capabilities?.drop, ['ALL']);
    for (const init of pod.spec?.initContainers ?? []) {
      assert.equal(init.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(init.securityContext?.capabilities, { drop: ['ALL'] });
    }
  });

  it('runs the supervisor from the runtime volume with the command after --, and the token file from a memory volume', () => {
    const pod = toSandboxPod(SANDBOX, DEFAULTS, EMPTY_K8S_DRIVER_OPTIONS);
    const container = pod.spec?.containers[0];
    assert.deepEqual(container?.command, DEFAULTS.supervisor?.runtime.entrypoint);
    assert.deepEqual(container?.args, ['--tty', '--', 'sh', '-c', 'echo hi']);
    const env = Object.fromEntries((container?.env ?? []).map((entry) => [entry.name, entry.value]));
    assert.equal(env['OPENSHELL_ENDPOINT'], 'http://10.244.0.1:17670');
    assert.equal(env['OPENSHELL_SANDBOX_TOKEN_FILE'], SANDBOX_TOKEN_TARGET);
    assert.equal(env['OPENSHELL_SANDBOX_ID'], SANDBOX.id);
    const init = pod.spec?.initContainers?.find((candidate) => candidate.name === RUNTIME_INIT_CONTAINER);
    assert.equal(init?.image, 'shellgate/supervisor-runtime:0.1.0');
    // Only the init container mounts the Secret; the sandbox sees the copy the supervisor empties.
    const tokenVolume = pod.spec?.volumes?.find((volume) => volume.secret !== undefined);
    assert.equal(tokenVolume?.secret?.defaultMode, 0o400);
    assert.ok(init?.volumeMounts?.some((mount) => mount.name === tokenVolume?.name));
    assert.equal(container?.volumeMounts?.some((mount) => mount.name === tokenVolume?.name), false);
    const runVolume = pod.spec?.volumes?.find((volume) => volume.emptyDir?.medium === 'Memory');
    assert.ok(container?.volumeMounts?.some((mount) => mount.name === runVolume?.name && mount.mountPath === '/run/shellgate'));
    assert.ok(container?.volumeMounts?.some((mount) => mount.mountPath === WORKSPACE_TARGET));
  });

  it('with supervisor_tls_secret: the sandbox container alone mounts it read-only, and the supervisor is told where', () => {
    const pod = toSandboxPod(SANDBOX, { ...DEFAULTS, gatewayEndpoint: 'https://10.244.0.1:17670', supervisorTls: { name: 'gw-tls', hasClientCertificate: true } }, EMPTY_K8S_DRIVER_OPTIONS);
    const volume = pod.spec?.volumes?.find((candidate) => candidate.secret?.secretName === 'gw-tls');
    assert.ok(volume !== undefined);
    const container = pod.spec?.containers[0];
    assert.deepEqual(container?.volumeMounts?.find((mount) => mount.name === volume.name), { name: volume.name, mountPath: '/opt/shellgate/tls', readOnly: true });
    assert.equal(pod.spec?.initContainers?.[0]?.volumeMounts?.some((mount) => mount.name === volume.name), false);
    const env = Object.fromEntries((container?.env ?? []).map((entry) => [entry.name, entry.value]));
    assert.deepEqual([env['OPENSHELL_TLS_CA_FILE'], env['OPENSHELL_TLS_CERT_FILE'], env['OPENSHELL_TLS_KEY_FILE']], ['/opt/shellgate/tls/ca.pem', '/opt/shellgate/tls/client.pem', '/opt/shellgate/tls/client-key.pem']);
    const bare = toSandboxPod(SANDBOX, { ...DEFAULTS, supervisor: undefined, supervisorTls: { name: 'gw-tls', hasClientCertificate: false } }, EMPTY_K8S_DRIVER_OPTIONS);
    assert.equal(bare.spec?.volumes?.some((candidate) => candidate.secret?.secretName === 'gw-tls'), false, 'no supervisor, nothing to give the files to');
  });

  it('without a supervisor: the command and tty as they are, the Secret mounted read-only', () => {
    const pod = toSandboxPod(SANDBOX, { ...DEFAULTS, supervisor: undefined }, EMPTY_K8S_DRIVER_OPTIONS);
    const container = pod.spec?.containers[0];
    assert.deepEqual(container?.command, ['sh', '-c', 'echo hi']);
    assert.equal(container?.tty, true);
    assert.equal(pod.spec?.initContainers, undefined);
    assert.ok(container?.volumeMounts?.some((mount) => mount.mountPath === '/run/shellgate' && mount.readOnly === true));
  });

  it('applies driver_config.k8s: node selector, tolerations, runtime class, service account, labels, annotations, storage', () => {
    const options = parseK8sDriverOptions({
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      runtimeClassName: 'gvisor',
      serviceAccountName: 'sandboxes',
      labels: { team: 'a' },
      annotations: { note: 'x' },
      storageClassName: 'fast',
      storageSize: '5Gi',
    });
    const pod = toSandboxPod(SANDBOX, DEFAULTS, options);
    assert.deepEqual(pod.spec?.nodeSelector, { disk: 'ssd' });
    assert.deepEqual(pod.spec?.tolerations, [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.equal(pod.spec?.runtimeClassName, 'gvisor');
    assert.equal(pod.spec?.serviceAccountName, 'sandboxes');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    assert.equal(pod.metadata?.labels?.['team'], 'a');
    assert.deepEqual(pod.metadata?.annotations, { note: 'x' });
    assert.equal(pod.spec?.volumes?.find((volume) => volume.name === 'workspace')?.persistentVolumeClaim?.claimName, 'shellgate-ws-box-01234567-workspace');
  });
});

describe('parseK8sDriverOptions', () => {
  it('names every unknown or bad key by the path the user wrote', () => {
    assert.throws(
      () => parseK8sDriverOptions({ nodeSelectr: {}, runtimeClassName: 'Not_A_Name', labels: { 'shellgate.dev/sandbox-id': 'x' }, tolerations: [{ effect: 'Sometimes' }] }),
      (error: Error & { code?: string }) =>
        error.code === 'INVALID_ARGUMENT' &&
        error.message.includes('spec.template.driver_config.k8s.nodeSelectr') &&
        error.message.includes('spec.template.driver_config.k8s.runtimeClassName') &&
        error.message.includes('spec.template.driver_config.k8s.labels.shellgate.dev/sandbox-id') &&
        error.message.includes('spec.template.driver_config.k8s.tolerations[0].effect'),
    );
  });
});
