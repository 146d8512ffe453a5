// The gateway in the cluster (issue 13, item 8): deploy/k8s/base applied into a namespace of
// this run, with the image scripts/image.sh builds for the Kubernetes driver loaded into the
// node, a hostPath PersistentVolume for its store (the test cluster has no provisioner), and
// the driver as the gateway's sidecar. The CLI on the host reaches the API Service; sandbox
// pods call back through the callback Service. Needs scripts/engines/k8s.sh start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { E2E_NAME_PREFIX, PROCESS_ID, uniqueSandboxName } from '../docker/e2e-run.js';
import { CLI_BIN, REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import type { CommandResult } from '../harness/run-command.js';
import { K8S_ENGINE_SCRIPT, K8S_TEST_IMAGE, kubectl } from './cluster.js';
import { DEPLOY_BASE_DIR, applyDeployOverlay } from './deploy-overlay.js';
import { requireK8sE2eEnvironment } from './k8s-e2e-env.js';

/** Rebuilt every run; a fixed tag so runs replace, not pile up, the image in the node. */
const GATEWAY_IMAGE = 'shellgate-local/gateway:k8s-e2e';
const GATEWAY = 'shellgate-gateway';
const ROLLOUT_TIMEOUT = '180s';
const SANDBOX_ID_LABEL = 'shellgate.dev/sandbox-id';

interface PodJson {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly automountServiceAccountToken?: boolean;
    readonly initContainers?: readonly ContainerJson[];
    readonly containers: readonly ContainerJson[];
  };
}
interface ContainerJson {
  readonly name: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly volumeMounts?: readonly { readonly mountPath: string }[];
}

describe('the gateway in the cluster (deploy/k8s) with the Kubernetes driver as its sidecar', () => {
  const namespace = `${E2E_NAME_PREFIX}${PROCESS_ID}-incluster`;
  const volumeName = `${namespace}-state`;
  let volumeDir = '';
  let tokenDir = '';
  let address = '';

  const cli = (args: readonly string[], timeoutMs = 180_000): Promise<CommandResult> =>
    runCommand(process.execPath, [CLI_BIN, '--gateway', address, '--token-file', join(tokenDir, 'token'), ...args], timeoutMs);
  const cliOk = async (args: readonly string[]): Promise<string> => {
    const result = await cli(args);
    assert.equal(result.code, 0, `shellgate ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}\n${await describeGateway(namespace)}`);
    return result.stdout;
  };

  before(async () => {
    const environment = await requireK8sE2eEnvironment();
    volumeDir = join(environment.cluster.stateDir, 'e2e-volumes', namespace);
    const packages = mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-packages-'));
    try {
      const built = await runCommand('bash', [join(REPO_ROOT, 'scripts', 'image.sh'), '--drivers', 'k8s', '--tag', GATEWAY_IMAGE, '--packages', packages], 540_000);
      assert.equal(built.code, 0, `scripts/image.sh failed:\n${built.stdout}\n${built.stderr}`);
    } finally {
      rmSync(packages, { recursive: true, force: true });
    }
    const loaded = await runCommand('bash', [K8S_ENGINE_SCRIPT, 'load-image', GATEWAY_IMAGE], 300_000);
    assert.equal(loaded.code, 0, `k8s.sh load-image failed:\n${loaded.stdout}\n${loaded.stderr}`);
    await runCommand('docker', ['image', 'rm', GATEWAY_IMAGE]);
    tokenDir = mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-token-'));
    const token = `e2e-${PROCESS_ID}-${Date.now()}-in-cluster-token`;
    writeFileSync(join(tokenDir, 'token'), token, { mode: 0o600 });
    const driverEnv = (name: string, value: string): { op: 'add'; path: string; value: unknown } => ({ op: 'add', path: '/spec/template/spec/initContainers/0/env/-', value: { name, value } });
    await applyDeployOverlay({
      namespace,
      directories: [DEPLOY_BASE_DIR],
      secrets: { 'shellgate-gateway-auth': { token } },
      extraManifests: toStateVolume(volumeName, namespace, volumeDir),
      patches: [
        { kind: 'PersistentVolumeClaim', name: 'shellgate-gateway-state', operations: [{ op: 'add', path: '/spec/storageClassName', value: volumeName }] },
        {
          kind: 'Deployment',
          name: GATEWAY,
          operations: [
            { op: 'replace', path: '/spec/template/spec/initContainers/0/image', value: GATEWAY_IMAGE },
            { op: 'replace', path: '/spec/template/spec/initContainers/0/imagePullPolicy', value: 'Never' },
            { op: 'replace', path: '/spec/template/spec/containers/0/image', value: GATEWAY_IMAGE },
            { op: 'replace', path: '/spec/template/spec/containers/0/imagePullPolicy', value: 'Never' },
            // The sandboxes' images are on the node too; the gateway id carries the e2e prefix
            // so `k8s.sh sweep` finds any pod this test leaves.
            driverEnv('SHELLGATE_K8S_IMAGE_PULL_POLICY', 'Never'),
            driverEnv('SHELLGATE_K8S_DEFAULT_IMAGE', K8S_TEST_IMAGE),
            driverEnv('SHELLGATE_K8S_SUPERVISOR_RUNTIME_IMAGE', environment.runtimeImage),
            driverEnv('SHELLGATE_K8S_DNS_POLICY', 'Default'),
            // `test` fails the build, not the wrong variable, should the env list change order.
            { op: 'test', path: '/spec/template/spec/initContainers/0/env/3/name', value: 'SHELLGATE_GATEWAY_ID' },
            { op: 'replace', path: '/spec/template/spec/initContainers/0/env/3/value', value: `${namespace}-gw` },
          ],
        },
      ],
    });
    await waitForRollout(namespace);
    const serviceIp = (await kubectl(['-n', namespace, 'get', 'service', GATEWAY, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    address = `${serviceIp}:17670`;
    await waitForService(() => cli(['gateway', 'info']));
  }, { timeout: 900_000 });

  after(async () => {
    await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 }).catch(() => undefined);
    await kubectl(['delete', 'persistentvolume', volumeName, '--ignore-not-found']).catch(() => undefined);
    if (volumeDir !== '') rmSync(volumeDir, { recursive: true, force: true });
    if (tokenDir !== '') rmSync(tokenDir, { recursive: true, force: true });
  });

  it('serves a create → exec round trip; the sandbox pod calls back through the callback Service', { timeout: 300_000 }, async () => {
    assert.match(await cliOk(['gateway', 'info']), /^k8s\s+k8s\s/m, 'the gateway runs the k8s driver (the sidecar)');
    const name = uniqueSandboxName('ic');
    await cliOk(['sandbox', 'create', name, '--image', K8S_TEST_IMAGE, '--wait']);
    const exec = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo in-cluster-$((40 + 2)); exit 3']);
    assert.equal(exec.code, 3, `exec keeps the command's exit code:\n${exec.stdout}\n${exec.stderr}`);
    assert.match(exec.stdout, /in-cluster-42/);
    const callbackIp = (await kubectl(['-n', namespace, 'get', 'service', 'shellgate-callback', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const pod = await readSandboxPod(namespace, name);
    const endpoints = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((container) => container.env ?? []).filter((env) => env.name === 'OPENSHELL_ENDPOINT');
    assert.deepEqual([...new Set(endpoints.map((env) => env.value))], [`http://${callbackIp}:17670`]);
    await cliOk(['sandbox', 'delete', name, '--wait']);
  });

  it('keeps its store on the volume: a sandbox outlives the gateway pod', { timeout: 300_000 }, async () => {
    const name = uniqueSandboxName('keep');
    await cliOk(['sandbox', 'create', name, '--image', K8S_TEST_IMAGE, '--wait']);
    await kubectl(['-n', namespace, 'delete', 'pod', '-l', `app.kubernetes.io/name=${GATEWAY}`, '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    await waitForRollout(namespace);
    await waitForService(() => cli(['gateway', 'info']));
    // The new gateway reads the sandbox from the volume; it is Ready again once its supervisor
    // has dialed the new pod (the session was lost with the old one).
    const deadline = Date.now() + 90_000;
    let shown = await cliOk(['sandbox', 'get', name]);
    while (!/\sReady\s/.test(shown) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      shown = await cliOk(['sandbox', 'get', name]);
    }
    assert.match(shown, /\sReady\s/, 'the new gateway pod knows the sandbox and its supervisor reconnected');
    const exec = await cli(['sandbox', 'exec', name, '--', 'echo', 'after-restart']);
    assert.equal(exec.code, 0, `${exec.stdout}\n${exec.stderr}`);
    assert.match(exec.stdout, /after-restart/);
    await cliOk(['sandbox', 'delete', name, '--wait']);
  });

  it('gives cluster credentials to the driver container only', { timeout: 60_000 }, async () => {
    const pods = JSON.parse(await kubectl(['-n', namespace, 'get', 'pods', '-l', `app.kubernetes.io/name=${GATEWAY}`, '-o', 'json'])) as { items: PodJson[] };
    const pod = pods.items[0];
    assert.ok(pod !== undefined, 'a gateway pod runs');
    assert.equal(pod.spec.automountServiceAccountToken, false);
    const mountsOf = (container: ContainerJson | undefined): string[] => (container?.volumeMounts ?? []).map((mount) => mount.mountPath);
    const tokenPath = '/var/run/secrets/kubernetes.io/serviceaccount';
    assert.ok(mountsOf(pod.spec.initContainers?.find((container) => container.name === 'driver')).includes(tokenPath));
    assert.ok(!mountsOf(pod.spec.containers.find((container) => container.name === 'gateway')).includes(tokenPath));
  });
});

/** A node directory as the store's volume, bound to this namespace's claim only. */
function toStateVolume(name: string, namespace: string, path: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      storageClassName: name,
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace, name: 'shellgate-gateway-state' },
      hostPath: { path, type: 'DirectoryOrCreate' },
    },
  });
}

async function waitForRollout(namespace: string): Promise<void> {
  try {
    await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${GATEWAY}`, `--timeout=${ROLLOUT_TIMEOUT}`], { timeoutMs: 200_000 });
  } catch (error) {
    throw new Error(`${String(error)}\n${await describeGateway(namespace)}`);
  }
}

/**
 * Until `probe` succeeds: a pod that just turned ready is behind its Service only once
 * kube-proxy has written the new endpoint's rules (about a second here).
 */
async function waitForService(probe: () => Promise<CommandResult>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await probe();
    if (result.code === 0) return;
    if (Date.now() > deadline) throw new Error(`the gateway Service did not answer within 30 s:\n${result.stdout}\n${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The gateway pod's state and both containers' last log lines, for a failure message. */
async function describeGateway(namespace: string): Promise<string> {
  const run = (args: readonly string[]): Promise<string> => kubectl(['-n', namespace, ...args]).catch((error: unknown) => String(error));
  const pods = await run(['get', 'pods', '-o', 'wide']);
  const driver = await run(['logs', `deployment/${GATEWAY}`, '-c', 'driver', '--tail=30']);
  const gateway = await run(['logs', `deployment/${GATEWAY}`, '-c', 'gateway', '--tail=30']);
  return `--- pods\n${pods}\n--- driver log\n${driver}\n--- gateway log\n${gateway}`;
}

async function readSandboxPod(namespace: string, sandboxName: string): Promise<PodJson> {
  const pods = JSON.parse(await kubectl(['-n', namespace, 'get', 'pods', '-l', SANDBOX_ID_LABEL, '-o', 'json'])) as { items: PodJson[] };
  const pod = pods.items.find((candidate) => candidate.metadata.labels?.['shellgate.dev/sandbox-name'] === sandboxName);
  assert.ok(pod !== undefined, `a pod of sandbox ${sandboxName} in ${namespace}`);
  return pod;
}
