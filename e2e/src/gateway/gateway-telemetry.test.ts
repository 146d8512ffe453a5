// Issue 14, item 5: with @shellgate/telemetry installed (e2e depends on it; the gateway finds
// it from its working directory, as it finds drivers) and OPENSHELL_TELEMETRY_ENABLED=true,
// the gateway serves Prometheus /metrics whose figures follow a create, a driver restart and
// a watch reconnect, and exports an OTLP trace of the create across gateway → driver;
// installed but disabled, nothing listens and nothing is exported. Exec latency needs a
// supervisor: e2e/src/docker/docker-telemetry.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { freePort } from '../harness/free-port.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { scrapeMetricsUntil } from '../harness/scrape-metrics.js';
import { startOtlpReceiver } from '../harness/otlp-receiver.js';

/** e2e/: its node_modules holds @shellgate/telemetry. */
const E2E_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function startGateway(env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-telemetry-'));
  return GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir), cwd: E2E_DIR, env });
}

describe('gateway telemetry', () => {
  it('enabled: /metrics follows a create, a driver restart and a watch reconnect; the create is one OTLP trace across gateway and driver calls', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const collector = await startOtlpReceiver();
    const gateway = await startGateway({
      OPENSHELL_TELEMETRY_ENABLED: 'true',
      OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    });
    const api = new ApiClient(gateway.address);
    try {
      await api.create({ name: 'metrics1' });
      let text = await scrapeMetricsUntil(port, [/^shellgate_sandboxes\{phase="Ready",driver="fake"\} 1$/m]);
      assert.match(text, /^shellgate_sandboxes\{phase="Ready",driver="fake"\} 1$/m);
      assert.match(text, /^shellgate_api_calls_total\{method="CreateSandbox",code="OK"\} 1$/m);
      assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_count\{driver="fake"\} 1$/m);
      assert.match(text, /^shellgate_driver_restarts_total\{driver="fake"\} 0$/m, 'no restart yet, counted from 0');
      assert.equal(gateway.entries((entry) => entry.message === 'telemetry serving Prometheus metrics').length, 1);

      const pid = gateway.entries((entry) => entry.message === 'driver ready')[0]?.pid;
      assert.equal(typeof pid, 'number', 'the gateway logs its driver pid');
      process.kill(pid as number, 'SIGKILL');
      const restarted = /^shellgate_driver_restarts_total\{driver="fake"\} 1$/m;
      const reconnected = /^shellgate_driver_watch_reconnects_total\{driver="fake"\} [1-9]\d*$/m;
      text = await scrapeMetricsUntil(port, [restarted, reconnected]);
      assert.match(text, restarted);
      assert.match(text, reconnected);
    } finally {
      api.close();
      await gateway.stop();
      gateway.removeState();
      await collector.close();
    }
    // Stopping the gateway flushed its spans.
    const create = collector.spans.find((span) => span.name === 'CreateSandbox');
    assert.ok(create !== undefined, `a CreateSandbox span: ${collector.spans.map((span) => span.name).join(', ')}`);
    const driverCalls = collector.spans.filter((span) => span.traceId === create.traceId && span.name.startsWith('ComputeDriver/'));
    assert.ok(driverCalls.some((span) => span.name === 'ComputeDriver/CreateSandbox'), 'the driver call is in the create\'s trace');
    for (const span of driverCalls) {
      assert.equal(span.parentSpanId, create.spanId, `${span.name} is a child of the API call`);
      assert.ok(span.attributes?.some((a) => a.key === 'shellgate.driver' && a.value.stringValue === 'fake'), `${span.name} names its driver`);
    }
  });

  it('installed but disabled: no metrics listener, no export', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const collector = await startOtlpReceiver();
    const gateway = await startGateway({
      OPENSHELL_TELEMETRY_ENABLED: 'false',
      OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    });
    const api = new ApiClient(gateway.address);
    try {
      await api.create({ name: 'quiet1' });
      await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
      assert.equal(gateway.entries((entry) => String(entry.message).includes('telemetry')).length, 0);
    } finally {
      api.close();
      await gateway.stop();
      gateway.removeState();
      await collector.close();
    }
    assert.equal(collector.requests(), 0, 'nothing was exported');
  });
});
