// Issue 14, item 5: with @shellgate/telemetry installed (e2e depends on it; the gateway finds
// it from its working directory, as it finds drivers) and OPENSHELL_TELEMETRY_ENABLED=true,
// the gateway serves Prometheus /metrics whose figures follow a create; installed but
// disabled, nothing listens.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';

/** e2e/: its node_modules holds @shellgate/telemetry. */
const E2E_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startGateway(env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-telemetry-'));
  return GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir), cwd: E2E_DIR, env });
}

describe('gateway telemetry', () => {
  it('enabled: /metrics counts the create call, the sandbox by phase and driver, and its create→Ready', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const gateway = await startGateway({ OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` });
    const api = new ApiClient(gateway.address);
    try {
      await api.create({ name: 'metrics1' });
      let text = '';
      const deadline = Date.now() + 20_000;
      while (!/^shellgate_sandboxes\{phase="Ready",driver="fake"\} 1$/m.test(text) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      }
      assert.match(text, /^shellgate_sandboxes\{phase="Ready",driver="fake"\} 1$/m);
      assert.match(text, /^shellgate_api_calls_total\{method="CreateSandbox",code="OK"\} 1$/m);
      assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_count\{driver="fake"\} 1$/m);
      assert.equal(gateway.entries((entry) => entry.message === 'telemetry serving Prometheus metrics').length, 1);
    } finally {
      api.close();
      await gateway.stop();
      gateway.removeState();
    }
  });

  it('installed but disabled: no metrics listener', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const gateway = await startGateway({ OPENSHELL_TELEMETRY_ENABLED: 'false', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` });
    try {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
      assert.equal(gateway.entries((entry) => String(entry.message).includes('telemetry')).length, 0);
    } finally {
      await gateway.stop();
      gateway.removeState();
    }
  });
});
