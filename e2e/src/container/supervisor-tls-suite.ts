// A gateway serving TLS with client certificates required (`tls_client_ca_file`), on a real
// engine: the driver mounts the supervisor_tls_* files into the sandbox, so the supervisor
// verifies the gateway with a private CA, presents its client certificate, and the sandbox
// turns Ready and runs an exec; the CLI goes through the same TLS listener.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayProcess } from '../harness/gateway-process.js';
import { makeTestPki, toGatewayMtlsToml, toSupervisorTlsConfig, type TestPki } from '../harness/test-pki.js';
import { checkSandboxOverTls, tlsCli } from '../harness/tls-sandbox-check.js';
import { buildSupervisorRuntime } from '../docker/supervisor-runtime.js';
import { defaultDriverConfig, type DriverConfigValue } from './e2e-driver-config.js';
import { startEngineGateway, stopEngineGateway, type EngineGateway } from './engine-gateway.js';
import type { EngineUnderTest } from './engine-under-test.js';

/** The name sandboxes dial on a bridge network; the gateway's certificate must carry it. */
const CALLBACK_HOST = 'host.openshell.internal';

export function registerSupervisorTlsSuite(engine: EngineUnderTest): void {
  describe(`supervisor in ${engine.displayName} sandboxes behind a gateway serving TLS with client certificates`, () => {
    let started: EngineGateway | undefined;
    let gateway: GatewayProcess;
    let pki: TestPki;

    before(async () => {
      await engine.require();
      const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-tls-'));
      pki = makeTestPki(stateDir, [CALLBACK_HOST]);
      const driverConfig: Record<string, DriverConfigValue> = {
        ...defaultDriverConfig('tls', join(stateDir, `${engine.name}-driver`)),
        ...engine.driverConfig,
        inject_supervisor: true,
        supervisor_runtime_dir: buildSupervisorRuntime(join(stateDir, 'runtime')),
        ...toSupervisorTlsConfig(pki),
      };
      started = await startEngineGateway(engine, stateDir, toGatewayMtlsToml(pki), driverConfig);
      gateway = started.gateway;
    });

    after(async () => {
      if (started === undefined) return;
      assert.deepEqual(await stopEngineGateway(engine, started), [], 'deleting the sandbox removed its container');
    });

    it('the supervisor verifies the gateway with the private CA, presents its certificate, and the sandbox is Ready and runs execs', async () => {
      await checkSandboxOverTls(tlsCli(gateway.address, pki), ['sleep', '3600'], () => gateway.lines.slice(-30).join('\n'));
    });
  });
}
