// The SDK's conformance kit binary against shellgate-driver-k8s on the local cluster, with the
// checked-in claims file and the restart scenario (STYLE.md rule 19, issue 13).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFORMANCE_BIN } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import { K8S_TEST_IMAGE, createTestNamespace } from './cluster.js';
import type { TestNamespace } from './cluster.js';
import { K8S_CLAIMS_FILE, findCallbackPort, k8sDriverSettings, requireK8sE2eEnvironment } from './k8s-e2e-env.js';
import { K8sDriverProcess } from './k8s-driver-process.js';

const KIT_TIMEOUT_MS = 60_000;

export function registerK8sConformanceSuite(): void {
  describe('shellgate-driver-conformance against shellgate-driver-k8s', () => {
    let driver: K8sDriverProcess | undefined;
    let namespace: TestNamespace | undefined;

    before(async () => {
      const environment = await requireK8sE2eEnvironment();
      namespace = await createTestNamespace('conf');
      const port = await findCallbackPort(environment.cluster.nodeIp);
      driver = await K8sDriverProcess.launch(k8sDriverSettings(environment, { namespace: namespace.name, port, label: 'conf' }));
    });

    after(async () => {
      await driver?.stop();
      await namespace?.[Symbol.asyncDispose]();
    });

    it('passes every check, the restart scenario included, and skips none', async () => {
      assert.ok(driver !== undefined);
      const args = [CONFORMANCE_BIN, '--socket', driver.socketPath, '--image', K8S_TEST_IMAGE, '--claims', K8S_CLAIMS_FILE, '--restart-cmd', driver.restartCommand, '--timeout-ms', String(KIT_TIMEOUT_MS)];
      const result = await runCommand(process.execPath, args, 15 * 60_000);
      const report = `${result.stdout}${result.stderr}\n--- driver log (tail) ---\n${driver.log().split('\n').slice(-60).join('\n')}`;
      assert.equal(result.code, 0, report);
      assert.match(result.stdout, /ok +restart-keeps-sandboxes/, report);
      assert.doesNotMatch(result.stdout, /^skip /m, `a claimed check was skipped:\n${report}`);
      assert.match(result.stdout, /\d+ passed, 0 failed\s*$/, report);
    });
  });
}
