// The Kubernetes driver behind a gateway serving TLS with client certificates required: the
// operator's Secret (ca.crt, tls.crt, tls.key) reaches the supervisor through
// supervisor_tls_secret, the sandbox pod calls back over https to the node address, turns
// Ready and runs an exec, and the CLI goes through the same TLS listener. Needs
// scripts/engines/k8s.sh start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toTomlLines } from '../container/e2e-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { makeTestPki, toGatewayMtlsToml, type TestPki } from '../harness/test-pki.js';
import { checkSandboxOverTls, tlsCli } from '../harness/tls-sandbox-check.js';
import { createTestNamespace, kubectl } from './cluster.js';
import type { TestNamespace } from './cluster.js';
import { K8S_DRIVER_BIN, findCallbackPort, k8sDriverSettings, requireK8sE2eEnvironment } from './k8s-e2e-env.js';

const TLS_SECRET = 'gateway-tls';

describe('the Kubernetes driver behind a gateway serving TLS with client certificates', () => {
  let gateway: GatewayProcess | undefined;
  let namespace: TestNamespace | undefined;
  let pki: TestPki;
  let dir = '';

  before(async () => {
    const environment = await requireK8sE2eEnvironment();
    namespace = await createTestNamespace('tls');
    dir = mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-tls-'));
    const nodeIp = environment.cluster.nodeIp;
    pki = makeTestPki(dir, [nodeIp]);
    await kubectl(['-n', namespace.name, 'create', 'secret', 'generic', TLS_SECRET, `--from-file=ca.crt=${pki.caCert}`, `--from-file=tls.crt=${pki.clientCert}`, `--from-file=tls.key=${pki.clientKey}`]);
    const port = await findCallbackPort(nodeIp);
    const settings = k8sDriverSettings(environment, { namespace: namespace.name, port, label: 'tls' }, { gateway_endpoint: `https://${nodeIp}:${port}`, supervisor_tls_secret: TLS_SECRET });
    const configToml = [
      `listen = "127.0.0.1:${port}"`,
      ...toGatewayMtlsToml(pki),
      '[drivers.k8s]',
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(K8S_DRIVER_BIN)}]`,
      ...toTomlLines(settings),
    ].join('\n');
    gateway = await GatewayProcess.start({ configToml, readyTimeoutMs: 90_000 });
  }, { timeout: 600_000 });

  after(async () => {
    if (gateway !== undefined) {
      await gateway.stop();
      gateway.removeState();
    }
    await namespace?.[Symbol.asyncDispose]();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('the supervisor trusts the private CA from the Secret, presents its certificate, and the sandbox is Ready and runs execs', { timeout: 300_000 }, async () => {
    await checkSandboxOverTls(tlsCli(gateway!.address, pki), ['sleep', '3600'], () => gateway!.lines.slice(-30).join('\n'));
  });
});
