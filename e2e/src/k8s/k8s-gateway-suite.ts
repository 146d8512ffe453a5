// Issue 13 through the gateway and the CLI on the local cluster: the gateway spawns
// shellgate-driver-k8s, pods get the supervisor from the runtime image's init container and
// call the gateway back at the node address. Readiness, exec, logs, stop and start, the pod's
// resources and lock-down, the token rules, and what an operator sees when the cluster says
// no (unschedulable, a pod deleted by someone else), a /sandbox claim across stop and start,
// plus a burst of creates.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';
import { E2E_RUN, uniqueSandboxName } from '../docker/e2e-run.js';
import { toTomlLines } from '../container/e2e-driver-config.js';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { CLI_BIN } from '../harness/paths.js';
import { PtySession } from '../harness/pty-session.js';
import { runCli, runCliWithInput } from '../harness/run-cli.js';
import type { CliResult } from '../harness/run-cli.js';
import { K8S_RUN_LABEL, createTestNamespace, kubectl, kubectlApply } from './cluster.js';
import type { TestNamespace } from './cluster.js';
import { K8S_DRIVER_BIN, findCallbackPort, k8sDriverSettings, requireK8sE2eEnvironment } from './k8s-e2e-env.js';

const WAIT = '120s';
const READY_MS = 120_000;
const IDLE = ['sh', '-c', 'echo main-started; exec sleep 3600'];
const SANDBOX_ID_LABEL = 'shellgate.dev/sandbox-id';
/** A class no provisioner serves: claims bind to the PersistentVolumes a test makes with it. */
const STORAGE_CLASS = 'manual';

/** The parts of `kubectl get -o json` answers the tests read. */
interface PodJson {
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly automountServiceAccountToken?: boolean;
    readonly containers: readonly {
      readonly name: string;
      readonly resources?: unknown;
      readonly securityContext?: { readonly allowPrivilegeEscalation?: boolean; readonly capabilities?: { readonly drop?: readonly string[] } };
    }[];
  };
}
interface SecretJson {
  readonly data?: Readonly<Record<string, string>>;
}

function readyOf(sandbox: Sandbox): { reason: string; message: string } {
  const ready = sandbox.status?.conditions.find((condition) => condition.type === 'Ready');
  return { reason: ready?.reason ?? '', message: ready?.message ?? '' };
}

export function registerK8sGatewaySuite(): void {
  describe('the Kubernetes driver behind the gateway and the CLI', () => {
    let gateway: GatewayProcess | undefined;
    let api: ApiClient;
    let namespace: TestNamespace | undefined;

    before(async () => {
      const environment = await requireK8sE2eEnvironment();
      namespace = await createTestNamespace('gw');
      const port = await findCallbackPort(environment.cluster.nodeIp);
      const settings = k8sDriverSettings(environment, { namespace: namespace.name, port, label: 'gw' });
      const configToml = [`listen = "127.0.0.1:${port}"`, '[drivers.k8s]', `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(K8S_DRIVER_BIN)}]`, ...toTomlLines(settings)].join('\n');
      gateway = await GatewayProcess.start({ configToml, readyTimeoutMs: 90_000 });
      api = new ApiClient(gateway.address);
    });

    after(async () => {
      if (gateway !== undefined) {
        for (const sandbox of await api.list().catch(() => [])) await api.delete(sandbox.metadata!.name).catch(() => false);
        api.close();
        await gateway.stop();
        gateway.removeState();
      }
      await namespace?.[Symbol.asyncDispose]();
    });

    function cli(args: readonly string[], timeoutMs = 180_000): Promise<CliResult> {
      return runCli(['--gateway', gateway!.address, ...args], {}, timeoutMs);
    }

    async function createReady(label: string, command: readonly string[] = IDLE): Promise<Sandbox> {
      const name = uniqueSandboxName(label);
      const result = await cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), '--wait', '--timeout', WAIT, '-o', 'json']);
      assert.equal(result.code, 0, `create ${name} exited ${result.code}:\n${result.stderr}\n--- gateway log (tail) ---\n${gateway!.lines.slice(-30).join('\n')}`);
      return JSON.parse(result.stdout) as Sandbox;
    }

    async function podsOf(sandboxId: string): Promise<PodJson[]> {
      return (JSON.parse(await kubectl(['-n', namespace!.name, 'get', 'pods', '-l', `${SANDBOX_ID_LABEL}=${sandboxId}`, '-o', 'json'])) as { items: PodJson[] }).items;
    }

    async function secretsOf(sandboxId: string): Promise<SecretJson[]> {
      return (JSON.parse(await kubectl(['-n', namespace!.name, 'get', 'secrets', '-l', `${SANDBOX_ID_LABEL}=${sandboxId}`, '-o', 'json'])) as { items: SecretJson[] }).items;
    }

    it('create through the API is Ready once the supervisor session is up; the pod carries requests, limits and no credentials', async () => {
      const name = uniqueSandboxName('api');
      await api.create({ name, spec: { command: IDLE, template: { image: '', resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '500m', memory: '256Mi' } } } } } as never);
      const sandbox = await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_READY, READY_MS);
      const [pod] = await podsOf(sandbox.metadata!.id);
      assert.ok(pod !== undefined, 'one pod');
      const container = pod.spec?.containers.find((candidate) => candidate.name === 'sandbox');
      assert.deepEqual(container?.resources, { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
      assert.equal(pod.spec?.automountServiceAccountToken, false);
      assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(container?.securityContext?.capabilities?.drop, ['ALL']);
      assert.ok(gateway!.entries((entry) => entry.message === 'supervisor session opened' && entry.sandboxId === sandbox.metadata!.id).length >= 1, 'the gateway had the session');
      assert.equal(await api.delete(name), true);
    });

    it('through the CLI: create → Ready → exec (exit code, stdin, tty) → logs → stop → start → delete', async () => {
      const sandbox = await createReady('cli');
      const { name, id } = sandbox.metadata!;
      assert.equal(String(sandbox.status?.phase), 'SANDBOX_PHASE_READY');
      const failed = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(failed.code, 3, failed.stderr);
      assert.equal(failed.stdout, 'out\n');
      const stdin = await runCliWithInput(['--gateway', gateway!.address, 'sandbox', 'exec', '-i', name, '--', 'sh', '-c', 'tr a-z A-Z'], 'shout\n');
      assert.equal(stdin.stdout, 'SHOUT\n', stdin.stderr);
      const session = PtySession.start(process.execPath, [CLI_BIN, '--gateway', gateway!.address, 'sandbox', 'exec', '-i', '-t', name, '--', 'sh', '-c', 'tty; exit 4'], { cols: 80, rows: 24 });
      try {
        await session.waitFor(/\/dev\/pts\/\d+/, 60_000);
        assert.equal(await session.waitForExit(60_000), 4);
      } finally {
        session.kill();
      }
      const deadline = Date.now() + 20_000;
      let logs = await cli(['sandbox', 'logs', name, '--source', 'main']);
      while (!logs.stdout.includes('main-started') && Date.now() < deadline) logs = await cli(['sandbox', 'logs', name, '--source', 'main']);
      assert.match(logs.stdout, /main-started/);

      assert.equal((await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo in-workspace > /sandbox/marker'])).code, 0);
      const stopped = await cli(['sandbox', 'stop', name, '--wait', '--timeout', WAIT]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_STOPPED);
      assert.deepEqual(await podsOf(id), [], 'stop deletes the pod');
      assert.equal((await secretsOf(id)).length, 1, 'stop keeps the sandbox secret');
      const started = await cli(['sandbox', 'start', name, '--wait', '--timeout', WAIT]);
      assert.equal(started.code, 0, started.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_READY, 'the session came back: the token was there again');
      assert.equal((await cli(['sandbox', 'exec', name, '--', 'true'])).code, 0);
      const deleted = await cli(['sandbox', 'delete', name, '--wait', '--timeout', WAIT]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(await podsOf(id), []);
      assert.deepEqual(await secretsOf(id), []);
    });

    it('with a storage class, /sandbox is a claim per sandbox: a file there survives stop and start, and delete removes the claim', async () => {
      // No provisioner on the test cluster: a hostPath volume of this run, bound statically by class.
      const name = uniqueSandboxName('claim');
      const volume = `${namespace!.name}-${name}`;
      const hostDir = join(tmpdir(), volume);
      await kubectlApply(
        [
          'apiVersion: v1',
          'kind: PersistentVolume',
          `metadata: {name: ${volume}, labels: {${K8S_RUN_LABEL}: ${E2E_RUN}}}`,
          `spec: {storageClassName: ${STORAGE_CLASS}, capacity: {storage: 64Mi}, accessModes: [ReadWriteOnce], persistentVolumeReclaimPolicy: Retain, hostPath: {path: ${hostDir}, type: DirectoryOrCreate}}`,
          '',
        ].join('\n'),
      );
      try {
        await api.create({ name, spec: { command: IDLE, template: { image: '', driverConfig: { k8s: { storageClassName: STORAGE_CLASS, storageSize: '64Mi' } } } } } as never);
        const sandbox = await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_READY, READY_MS);
        assert.equal((await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo kept > /sandbox/marker'])).code, 0);
        assert.equal((await cli(['sandbox', 'stop', name, '--wait', '--timeout', WAIT])).code, 0);
        assert.equal((await cli(['sandbox', 'start', name, '--wait', '--timeout', WAIT])).code, 0);
        assert.equal((await cli(['sandbox', 'exec', name, '--', 'cat', '/sandbox/marker'])).stdout, 'kept\n', 'the file in /sandbox survived stop and start');
        assert.equal(await api.delete(name), true);
        // The claim is Terminating until Kubernetes' pvc-protection controller sees its pod gone.
        const listClaims = async (): Promise<string> =>
          (await kubectl(['-n', namespace!.name, 'get', 'pvc', '-l', `${SANDBOX_ID_LABEL}=${sandbox.metadata!.id}`, '-o', 'name'])).trim();
        const deadline = Date.now() + 60_000;
        let claims = await listClaims();
        while (claims !== '' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          claims = await listClaims();
        }
        assert.equal(claims, '', 'delete removes the claim');
      } finally {
        await kubectl(['delete', 'pv', volume, '--ignore-not-found', '--wait=false']);
        rmSync(hostDir, { recursive: true, force: true });
      }
    });

    it('the token is in none of the pod spec, its env, its logs or the gateway log, and the agent finds the file empty', async () => {
      const sandbox = await createReady('token');
      const { name, id } = sandbox.metadata!;
      const [secret] = await secretsOf(id);
      const token = Buffer.from(secret?.data?.['token'] ?? '', 'base64').toString('utf8');
      assert.ok(token.length > 20, 'the secret holds the token');
      const [pod] = await podsOf(id);
      assert.ok(pod !== undefined);
      assert.equal(JSON.stringify(pod).includes(token), false, 'token in the pod');
      for (const container of ['shellgate-runtime', 'sandbox']) {
        const logs = await kubectl(['-n', namespace!.name, 'logs', pod.metadata!.name!, '-c', container]);
        assert.equal(logs.includes(token), false, `token in the ${container} container log`);
      }
      const env = await cli(['sandbox', 'exec', name, '--', 'env']);
      assert.equal(env.stdout.includes(token), false, 'token in the env');
      const file = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'wc -c < "$OPENSHELL_SANDBOX_TOKEN_FILE"; ls /run/shellgate']);
      assert.equal(file.stdout.split('\n')[0]?.trim(), '0', `the agent finds the token file empty:\n${file.stdout}${file.stderr}`);
      assert.equal(gateway!.lines.some((line) => line.includes(token)), false, 'token in the gateway or driver log');
      assert.equal(await api.delete(name), true);
    });

    it('an unschedulable sandbox stays Provisioning and says why, with the scheduler message', async () => {
      const name = uniqueSandboxName('unsched');
      await api.create({ name, spec: { command: IDLE, template: { image: '', resources: { requests: { cpu: '64' }, limits: { cpu: '64' } } } } } as never);
      const waiting = await api.waitFor(name, (s) => /Unschedulable/.test(readyOf(s).message), 60_000);
      assert.equal(waiting.status?.phase, SandboxPhase.SANDBOX_PHASE_PROVISIONING);
      assert.match(readyOf(waiting).message, /Insufficient cpu/);
      assert.equal(await api.delete(name), true);
    });

    it('a pod deleted behind the driver\'s back shows as an Error naming it, and start brings the sandbox back', async () => {
      const sandbox = await createReady('behind');
      const { name, id } = sandbox.metadata!;
      const [pod] = await podsOf(id);
      await kubectl(['-n', namespace!.name, 'delete', 'pod', pod!.metadata!.name!, '--wait=true', '--grace-period=1']);
      const failed = await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_ERROR, 60_000);
      assert.equal(readyOf(failed).reason, 'PodDeleted');
      assert.match(readyOf(failed).message, new RegExp(pod!.metadata!.name!));
      const started = await cli(['sandbox', 'start', name, '--wait', '--timeout', WAIT]);
      assert.equal(started.code, 0, started.stderr);
      assert.equal(await api.delete(name), true);
    });

    it('10 concurrent creates all reach Ready', async () => {
      const names = Array.from({ length: 10 }, () => uniqueSandboxName('burst'));
      const results = await Promise.all(names.map((name) => cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '180s'], 240_000)));
      results.forEach((result, index) => assert.equal(result.code, 0, `${names[index]}: ${result.stderr}`));
      for (const name of names) assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_READY);
      await Promise.all(names.map((name) => api.delete(name)));
    });
  });
}
