// A VM sandbox behind a gateway serving TLS with client certificates required (real QEMU):
// the driver carries the supervisor_tls_* files on the config disk, /init places them
// read-only at /opt/shellgate/tls, and the guest's supervisor verifies the gateway with the
// private CA and presents its certificate: the sandbox turns Ready and runs an exec.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { TEST_IMAGE, toTomlLines } from '../container/e2e-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { VM_DRIVER_BIN } from '../harness/paths.js';
import { makeTestPki, toGatewayMtlsToml, toSupervisorTlsConfig, type TestPki } from '../harness/test-pki.js';
import { checkSandboxOverTls, tlsCli } from '../harness/tls-sandbox-check.js';
import { VM_CACHE_DIR, e2eRunDir, killQemuUnder, requireVmEngine } from './vm-engine.js';

export function registerVmTlsSuite(): void {
  describe('a VM sandbox behind a gateway serving TLS with client certificates (real QEMU)', () => {
    let gateway: GatewayProcess | undefined;
    let pki: TestPki;
    let runDir = '';
    let cleanupOnTermination: TerminationCleanupHandle | undefined;

    before(async () => {
      await requireVmEngine();
      const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-vmtls-'));
      pki = makeTestPki(stateDir, ['host.openshell.internal']);
      runDir = e2eRunDir('tls');
      const driverConfig = {
        default_image: TEST_IMAGE,
        state_dir: join(stateDir, 'vm-driver'),
        cache_dir: VM_CACHE_DIR,
        run_dir: runDir,
        stop_timeout_seconds: 2,
        ...toSupervisorTlsConfig(pki),
      };
      const configToml = [
        ...toGatewayMtlsToml(pki),
        '[drivers.vm]',
        `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(VM_DRIVER_BIN)}]`,
        ...toTomlLines(driverConfig),
      ].join('\n');
      const started = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 60_000 });
      gateway = started;
      cleanupOnTermination = addTerminationCleanup(async () => {
        await started.stop();
        killQemuUnder(runDir);
      });
    });

    after(async () => {
      cleanupOnTermination?.forget();
      if (gateway === undefined) return;
      await gateway.stop();
      killQemuUnder(runDir);
      rmSync(runDir, { recursive: true, force: true });
      gateway.removeState();
    });

    it('the guest\'s supervisor trusts the private CA, presents its certificate, and the sandbox is Ready and runs execs', async () => {
      await checkSandboxOverTls(tlsCli(gateway!.address, pki), ['sleep', '36000'], () => gateway!.lines.slice(-30).join('\n'));
    });
  });
}
