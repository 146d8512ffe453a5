import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isTelemetryEnabled, startGatewayTelemetry } from './gateway-telemetry.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

void test('only 1, true or yes enable telemetry', () => {
  for (const value of ['1', 'true', 'TRUE', ' yes ']) assert.equal(isTelemetryEnabled({ OPENSHELL_TELEMETRY_ENABLED: value }), true, value);
  for (const value of [undefined, '', '0', 'false', 'no', 'on']) assert.equal(isTelemetryEnabled({ OPENSHELL_TELEMETRY_ENABLED: value }), false, String(value));
});

void test('disabled: nothing starts and the port stays free', { timeout: 10_000 }, async () => {
  const port = await freePort();
  assert.equal(await startGatewayTelemetry({ env: { OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` } }), undefined);
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => probe.close(resolve));
});

void test('enabled: /metrics serves API calls, sandboxes by phase and driver, and the create→Ready histogram', { timeout: 10_000 }, async () => {
  const port = await freePort();
  const telemetry = await startGatewayTelemetry({ env: { OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` } });
  assert.ok(telemetry !== undefined);
  try {
    telemetry.recordApiCall('CreateSandbox', 'OK');
    telemetry.recordApiCall('CreateSandbox', 'OK');
    telemetry.recordApiCall('GetSandbox', 'NOT_FOUND');
    telemetry.recordCreateToReady('docker', 1.5);
    telemetry.observeSandboxes(async () => [{ phase: 'Ready', driver: 'docker', count: 3 }]);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(text, /^shellgate_api_calls_total\{method="CreateSandbox",code="OK"\} 2$/m);
    assert.match(text, /^shellgate_api_calls_total\{method="GetSandbox",code="NOT_FOUND"\} 1$/m);
    assert.match(text, /^shellgate_sandboxes\{phase="Ready",driver="docker"\} 3$/m);
    assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_bucket\{driver="docker",le="2"\} 1$/m);
    assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_count\{driver="docker"\} 1$/m);
  } finally {
    await telemetry.close();
  }
});
