// The driver's informer across the API server going away (issue 13, "the watch surviving an
// apiserver restart and a forced 410"): kube-apiserver is restarted under a driver holding one
// open WatchSandboxes stream. The restarted server's watch cache starts past the driver's last
// resourceVersion (the test moves the cluster's revision on first), so the resumed pod watch is
// answered 410 Gone and the driver must list again. The same stream must then carry what
// happens next. Needs scripts/engines/k8s.sh start; restarts its kube-apiserver, so the k8s e2e
// files run one at a time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deleteSandboxes, isReady, newDriverSandbox } from '../container/driver-sandbox.js';
import { WatchLog } from '../container/watch-log.js';
import { runCommand } from '../harness/run-command.js';
import { K8S_ENGINE_SCRIPT, K8S_TEST_IMAGE, createTestNamespace, kubectl } from './cluster.js';
import type { TestNamespace } from './cluster.js';
import { K8sDriverProcess } from './k8s-driver-process.js';
import { findCallbackPort, k8sDriverSettings, requireK8sE2eEnvironment } from './k8s-e2e-env.js';

const READY_MS = 60_000;
const EXPIRED_LOG = 'watch resourceVersion expired (410 Gone); listing again';

describe('the k8s driver watch across a kube-apiserver restart and a 410 Gone', () => {
  let namespace: TestNamespace | undefined;
  let driver: K8sDriverProcess | undefined;
  let watch: WatchLog | undefined;
  const created = new Set<string>();

  before(async () => {
    const environment = await requireK8sE2eEnvironment();
    namespace = await createTestNamespace('watch');
    const port = await findCallbackPort(environment.cluster.nodeIp);
    driver = await K8sDriverProcess.launch(k8sDriverSettings(environment, { namespace: namespace.name, port, label: 'watch' }));
    const running = driver;
    watch = new WatchLog(() => running.client);
  }, { timeout: 600_000 });

  after(async () => {
    await watch?.close();
    if (driver !== undefined) await deleteSandboxes(driver.client, created);
    await driver?.stop();
    await namespace?.[Symbol.asyncDispose]();
  });

  it('keeps its one WatchSandboxes stream, lists again after the 410, and reports what follows', { timeout: 300_000 }, async () => {
    assert.ok(driver !== undefined && watch !== undefined && namespace !== undefined);
    const before = newDriverSandbox('wr-before', { image: K8S_TEST_IMAGE, command: ['sleep', '3600'] });
    created.add(before.id);
    await driver.client.createSandbox(before);
    await watch.waitForSandbox(0, before.id, 'Ready', isReady, READY_MS);

    // Moves the cluster's revision past the driver's last pod resourceVersion: the restarted
    // server's watch cache then starts after it, and answers the resumed watch 410 Gone.
    await kubectl(['-n', namespace.name, 'create', 'configmap', 'revision-bump', '--from-literal=at=now']);
    const fromEvent = watch.events.length;
    const restarted = await runCommand('bash', [K8S_ENGINE_SCRIPT, 'restart-apiserver'], 120_000);
    assert.equal(restarted.code, 0, `k8s.sh restart-apiserver failed:\n${restarted.stdout}\n${restarted.stderr}`);

    const afterRestart = newDriverSandbox('wr-after', { image: K8S_TEST_IMAGE, command: ['sleep', '3600'] });
    created.add(afterRestart.id);
    await driver.client.createSandbox(afterRestart);
    await watch.waitForSandbox(fromEvent, afterRestart.id, 'Ready', isReady, READY_MS);
    assert.equal(await driver.client.deleteSandbox(before.id), true);
    await waitForDeletedEvent(watch, fromEvent, before.id);

    assert.equal(watch.reopened, 0, 'the WatchSandboxes stream opened before the restart is still the one in use');
    const log = driver.log();
    assert.ok(log.includes(EXPIRED_LOG), `the driver logged no "${EXPIRED_LOG}"; driver log (tail):\n${log.split('\n').slice(-40).join('\n')}`);
  });
});

async function waitForDeletedEvent(watch: WatchLog, from: number, sandboxId: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (!watch.events.slice(from).some((event) => event.payload?.$case === 'deleted' && event.payload.deleted.sandboxId === sandboxId)) {
    if (Date.now() > deadline) throw new Error(`no deleted event for ${sandboxId} on the watch within ${READY_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
