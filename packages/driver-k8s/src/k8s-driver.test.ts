import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConditionStatus, ConditionType, DriverSandbox, findCondition, isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { CallContext, WatchSandboxesEvent } from '@shellgate/driver-sdk';

import { ImagePullPolicy } from './config.js';
import { K8sDriver } from './k8s-driver.js';
import { PodReason } from './pod/pod-conditions.js';
import { STOPPED_ANNOTATION } from './pod/sandbox-record.js';
import type { K8sDriverSettings } from './settings.js';
import { FakeKubeApi } from './testdata/fake-kube-api.js';

const TOKEN = 'eyJhbGciOiJFZERTQSJ9.test-token.signature';
const SETTINGS: K8sDriverSettings = {
  namespace: 'sg-test',
  gatewayId: 'gw-1',
  defaultImage: 'busybox:1',
  imagePullPolicy: ImagePullPolicy.Never,
  imagePullFailureMs: 60_000,
  gatewayEndpoint: 'http://10.244.0.1:17670',
  storageClass: undefined,
  storageSize: '1Gi',
  hasNetworkPolicy: true,
  stopGraceSeconds: 0,
  dnsPolicy: 'ClusterFirst',
  supervisor: {
    runtimeImage: 'shellgate/supervisor-runtime:0.1.0',
    runtime: { hostDir: '/tmp/bundle', entrypoint: ['/opt/shellgate/runtime/lib/ld.so', '/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'], supervisorVersion: '0.1.0' },
  },
  isTokenExposedToAgent: false,
  supervisorTls: undefined,
};

function ctx(): CallContext {
  return { signal: AbortSignal.timeout(5000) } as CallContext;
}

function sandboxOf(id: string, name = 'box'): DriverSandbox {
  return DriverSandbox.fromPartial({ id, name, workspace: 'default', namespace: 'ns', spec: { sandboxToken: TOKEN, command: ['sleep', '60'], template: { image: 'busybox:1' } } });
}

async function withDriver(test: (driver: K8sDriver, api: FakeKubeApi) => Promise<void>, settings: K8sDriverSettings = SETTINGS): Promise<void> {
  const api = new FakeKubeApi();
  const driver = new K8sDriver({ api, settings, logger: silentLogger, sleep: async () => undefined, isLocalAddress: async (host) => ['127.0.0.1', '10.244.0.1'].includes(host) });
  await driver.start();
  try {
    await test(driver, api);
  } finally {
    await driver.close();
  }
}

function readyOf(sandbox: DriverSandbox | undefined): { status: string; reason: string } {
  const ready = findCondition(sandbox?.status?.conditions ?? [], ConditionType.Ready);
  return { status: ready?.status ?? '', reason: ready?.reason ?? '' };
}

async function nextSandboxEvent(events: AsyncIterator<WatchSandboxesEvent>, predicate: (event: WatchSandboxesEvent) => boolean): Promise<WatchSandboxesEvent> {
  for (;;) {
    const next = await events.next();
    assert.equal(next.done, false, 'watch ended');
    if (predicate(next.value)) return next.value;
  }
}

describe('K8sDriver against a fake API server', { timeout: 20_000 }, () => {
  it('creates a Secret and a Pod; Get shows the pod state; the token is only in the Secret', async () => {
    await withDriver(async (driver, api) => {
      await driver.createSandbox({ sandbox: sandboxOf('id-1') }, ctx());
      assert.equal(api.pods.size, 1);
      assert.equal(api.secrets.size, 1);
      const [pod] = api.pods.values();
      assert.equal(JSON.stringify(pod).includes(TOKEN), false, 'token in the pod');
      const [secret] = api.secrets.values();
      assert.equal(Buffer.from(secret?.data?.['token'] ?? '', 'base64').toString(), TOKEN);
      assert.equal(Buffer.from(secret?.data?.['sandbox.json'] ?? '', 'base64').toString().includes(TOKEN), false, 'token in the record');
      const got = await driver.getSandbox({ sandboxId: 'id-1', sandboxName: '' }, ctx());
      assert.deepEqual(readyOf(got.sandbox), { status: ConditionStatus.False, reason: 'ContainerStarting' });
      api.setPodStatus(pod!.metadata!.name!, { phase: 'Running', containerStatuses: [{ name: 'sandbox', image: 'busybox:1', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] });
      const running = await driver.getSandbox({ sandboxId: 'id-1', sandboxName: '' }, ctx());
      assert.deepEqual(readyOf(running.sandbox), { status: ConditionStatus.True, reason: 'Running' });
      assert.equal(api.policies.size, 1, 'isolation policy');
    });
  });

  it('answers ALREADY_EXISTS for a second create of an id, NOT_FOUND for unknown ids, deleted=false twice', async () => {
    await withDriver(async (driver) => {
      await driver.createSandbox({ sandbox: sandboxOf('id-2') }, ctx());
      await assert.rejects(driver.createSandbox({ sandbox: sandboxOf('id-2', 'other') }, ctx()), (error) => isShellgateError(error) && error.code === 'ALREADY_EXISTS');
      await assert.rejects(driver.getSandbox({ sandboxId: 'nope', sandboxName: '' }, ctx()), (error) => isShellgateError(error) && error.code === 'NOT_FOUND');
      await assert.rejects(driver.stopSandbox({ sandboxId: 'nope', sandboxName: '' }, ctx()), (error) => isShellgateError(error) && error.code === 'NOT_FOUND');
      assert.deepEqual(await driver.deleteSandbox({ sandboxId: 'id-2', sandboxName: '' }, ctx()), { deleted: true });
      assert.deepEqual(await driver.deleteSandbox({ sandboxId: 'id-2', sandboxName: '' }, ctx()), { deleted: false });
    });
  });

  it('stop deletes the pod and keeps the Secret (Suspended); start recreates the pod; both idempotent', async () => {
    await withDriver(async (driver, api) => {
      await driver.createSandbox({ sandbox: sandboxOf('id-3') }, ctx());
      const ref = { sandboxId: 'id-3', sandboxName: '' };
      await driver.stopSandbox(ref, ctx());
      await driver.stopSandbox(ref, ctx());
      assert.equal(api.pods.size, 0);
      const [secret] = api.secrets.values();
      assert.equal(secret?.metadata?.annotations?.[STOPPED_ANNOTATION], 'true');
      const stopped = await driver.getSandbox(ref, ctx());
      assert.equal(findCondition(stopped.sandbox?.status?.conditions ?? [], ConditionType.Suspended)?.status, ConditionStatus.True);
      await driver.startSandbox(ref, ctx());
      await driver.startSandbox(ref, ctx());
      assert.equal(api.pods.size, 1);
      assert.equal(api.secrets.values().next().value?.metadata?.annotations?.[STOPPED_ANNOTATION], undefined);
      const started = await driver.getSandbox(ref, ctx());
      assert.equal(findCondition(started.sandbox?.status?.conditions ?? [], ConditionType.Suspended)?.status, ConditionStatus.False);
    });
  });

  it('creates a volume claim with a storage class, keeps it on stop, and deletes it with the sandbox', async () => {
    await withDriver(
      async (driver, api) => {
        await driver.createSandbox({ sandbox: sandboxOf('id-4') }, ctx());
        assert.equal(api.claims.size, 1);
        const [pod] = api.pods.values();
        assert.ok(pod?.spec?.volumes?.some((volume) => volume.persistentVolumeClaim !== undefined));
        await driver.stopSandbox({ sandboxId: 'id-4', sandboxName: '' }, ctx());
        assert.equal(api.claims.size, 1);
        await driver.deleteSandbox({ sandboxId: 'id-4', sandboxName: '' }, ctx());
        assert.equal(api.claims.size + api.secrets.size + api.pods.size, 0);
      },
      { ...SETTINGS, storageClass: 'manual' },
    );
  });

  it('removes the Secret again when the pod cannot be created', async () => {
    await withDriver(async (driver, api) => {
      api.failures.set('createPod', Object.assign(new Error('quota'), { code: 403, body: { message: 'exceeded quota: pods' } }));
      await assert.rejects(driver.createSandbox({ sandbox: sandboxOf('id-5') }, ctx()), (error) => isShellgateError(error) && error.code === 'FAILED_PRECONDITION' && error.message.includes('exceeded quota'));
      assert.equal(api.secrets.size, 0);
    });
  });

  it('watch: snapshot, pod updates, a pod deleted behind our back, Kubernetes events, and a 410 relist', async () => {
    await withDriver(async (driver, api) => {
      await driver.createSandbox({ sandbox: sandboxOf('id-6') }, ctx());
      const abort = new AbortController();
      const events = driver.watchSandboxes({}, { signal: abort.signal } as CallContext)[Symbol.asyncIterator]();
      await nextSandboxEvent(events, (event) => event.payload?.$case === 'sandbox' && event.payload.sandbox.sandbox?.id === 'id-6');
      while (api.watchCount < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const name = [...api.pods.keys()][0]!;
      api.recordEvent(name, 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
      const platform = await nextSandboxEvent(events, (event) => event.payload?.$case === 'platformEvent');
      assert.equal(platform.payload?.$case === 'platformEvent' && platform.payload.platformEvent.event?.reason, 'FailedScheduling');
      api.deletePodBehindOurBack(name);
      const deleted = await nextSandboxEvent(events, (event) => event.payload?.$case === 'sandbox' && readyOf(event.payload.sandbox.sandbox).reason === PodReason.PodDeleted);
      assert.ok(deleted);
      const connections = api.calls.filter((call) => call === 'listPods').length;
      api.dropWatches({ isExpired: true });
      while (api.calls.filter((call) => call === 'listPods').length === connections) await new Promise((resolve) => setTimeout(resolve, 5));
      await driver.startSandbox({ sandboxId: 'id-6', sandboxName: '' }, ctx());
      await nextSandboxEvent(events, (event) => event.payload?.$case === 'sandbox' && readyOf(event.payload.sandbox.sandbox).reason === 'ContainerStarting');
      abort.abort();
    });
  });

  it('asks the gateway to listen on the endpoint only when its IP is local', async () => {
    await withDriver(async (driver) => {
      const response = await driver.getGatewayListenerRequirements();
      assert.deepEqual(response.requirements.map((requirement) => requirement.selector), [{ $case: 'exactBindAddress', exactBindAddress: '10.244.0.1:17670' }]);
    });
    await withDriver(
      async (driver) => {
        assert.deepEqual((await driver.getGatewayListenerRequirements()).requirements, []);
      },
      { ...SETTINGS, gatewayEndpoint: 'http://shellgate-gateway.shellgate:17670' },
    );
  });
});
