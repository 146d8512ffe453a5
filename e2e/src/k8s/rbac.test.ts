// The driver with exactly the Role deploy/k8s ships (issue 13, "the driver with exactly the
// shipped Role"): it runs with a kubeconfig holding a token of the shellgate-driver
// ServiceAccount of deploy/k8s/base/rbac.yaml, applied into a namespace of this run, and passes
// the conformance kit, restart included; with one verb taken away it refuses to start, naming
// the identity, the server and what is missing. Needs scripts/engines/k8s.sh start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toTomlLines } from '../container/e2e-driver-config.js';
import { CONFORMANCE_BIN } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import { K8S_TEST_IMAGE, createTestNamespace, kubectl, writeServiceAccountKubeconfig } from './cluster.js';
import type { TestNamespace } from './cluster.js';
import { DEPLOY_BASE_DIR, applyDeployOverlay } from './deploy-overlay.js';
import { K8sDriverProcess } from './k8s-driver-process.js';
import { K8S_CLAIMS_FILE, K8S_DRIVER_BIN, findCallbackPort, k8sDriverSettings, requireK8sE2eEnvironment } from './k8s-e2e-env.js';
import type { K8sE2eEnvironment } from './k8s-e2e-env.js';

const SERVICE_ACCOUNT = 'shellgate-driver';
const KIT_TIMEOUT_MS = 60_000;

interface RoleJson {
  readonly rules: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[]; readonly verbs: readonly string[] }[];
}

describe('shellgate-driver-k8s with exactly the Role of deploy/k8s', () => {
  let environment: K8sE2eEnvironment;
  let namespace: TestNamespace | undefined;
  let dir = '';
  let kubeconfig = '';
  let settings: Record<string, string | number | boolean>;

  before(async () => {
    environment = await requireK8sE2eEnvironment();
    namespace = await createTestNamespace('rbac');
    await applyDeployOverlay({ namespace: namespace.name, files: [join(DEPLOY_BASE_DIR, 'rbac.yaml')] });
    dir = mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-rbac-'));
    kubeconfig = join(dir, 'driver.kubeconfig');
    await writeServiceAccountKubeconfig(kubeconfig, namespace.name, SERVICE_ACCOUNT);
    const port = await findCallbackPort(environment.cluster.nodeIp);
    settings = { ...k8sDriverSettings(environment, { namespace: namespace.name, port, label: 'rbac' }), kubeconfig };
  }, { timeout: 600_000 });

  after(async () => {
    await namespace?.[Symbol.asyncDispose]();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('runs as the ServiceAccount and passes every conformance check, restart included', { timeout: 15 * 60_000 }, async () => {
    assert.ok(namespace !== undefined);
    const driver = await K8sDriverProcess.launch(settings);
    try {
      const args = [CONFORMANCE_BIN, '--socket', driver.socketPath, '--image', K8S_TEST_IMAGE, '--claims', K8S_CLAIMS_FILE, '--restart-cmd', driver.restartCommand, '--timeout-ms', String(KIT_TIMEOUT_MS)];
      const result = await runCommand(process.execPath, args, 14 * 60_000);
      const report = `${result.stdout}${result.stderr}\n--- driver log (tail) ---\n${driver.log().split('\n').slice(-60).join('\n')}`;
      assert.equal(result.code, 0, report);
      assert.match(result.stdout, /ok +restart-keeps-sandboxes/, report);
      assert.doesNotMatch(result.stdout, /^skip /m, `a claimed check was skipped:\n${report}`);
      assert.match(driver.log(), new RegExp(`system:serviceaccount:${namespace.name}:${SERVICE_ACCOUNT}`), 'the driver logs the identity it runs as');
    } finally {
      await driver.stop();
    }
  });

  it('with one verb taken from the Role, refuses to start naming the identity, the server and the missing permission', { timeout: 120_000 }, async () => {
    assert.ok(namespace !== undefined);
    const role = JSON.parse(await kubectl(['-n', namespace.name, 'get', 'role', SERVICE_ACCOUNT, '-o', 'json'])) as RoleJson;
    const rules = role.rules.map((rule) => (rule.resources.includes('pods') ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'watch') } : rule));
    await kubectl(['-n', namespace.name, 'patch', 'role', SERVICE_ACCOUNT, '--type=merge', '-p', JSON.stringify({ rules })]);
    const config = join(dir, 'driver.toml');
    writeFileSync(config, `${toTomlLines({ ...settings, state_dir: join(dir, 'state') }).join('\n')}\n`, { mode: 0o600 });
    const result = await runCommand(process.execPath, [K8S_DRIVER_BIN, '--bind-socket', join(dir, 'driver.sock'), '--config', config], 60_000);
    const output = `${result.stdout}${result.stderr}`;
    assert.equal(result.code, 2, output);
    assert.match(output, new RegExp(`system:serviceaccount:${namespace.name}:${SERVICE_ACCOUNT} may not watch pods`), output);
    assert.match(output, new RegExp(environment.cluster.nodeIp.replaceAll('.', '\\.')), `the error names the API server:\n${output}`);
  });
});
