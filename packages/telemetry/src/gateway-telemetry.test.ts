import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { resolveTracesUrl } from './env.js';
import { isTelemetryEnabled, startGatewayTelemetry } from './gateway-telemetry.js';

/** A client's span, as its `traceparent` names it. */
const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';

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

void test('enabled: /metrics serves API calls, sandboxes by phase and driver, create→Ready and exec start, driver restarts and watch reconnects', { timeout: 10_000 }, async () => {
  const port = await freePort();
  const telemetry = await startGatewayTelemetry({ env: { OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` } });
  assert.ok(telemetry !== undefined);
  try {
    telemetry.recordApiCall('CreateSandbox', 'OK');
    telemetry.recordApiCall('CreateSandbox', 'OK');
    telemetry.recordApiCall('GetSandbox', 'NOT_FOUND');
    telemetry.recordCreateToReady('docker', 1.5);
    telemetry.recordExecStart('docker', 0.04);
    telemetry.recordExecStart('podman', 3);
    telemetry.declareDrivers(['docker', 'podman']);
    telemetry.recordDriverRestart('docker');
    telemetry.recordWatchReconnect('docker');
    telemetry.recordWatchReconnect('docker');
    telemetry.observeSandboxes(async () => [{ phase: 'Ready', driver: 'docker', count: 3 }]);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(text, /^shellgate_api_calls_total\{method="CreateSandbox",code="OK"\} 2$/m);
    assert.match(text, /^shellgate_api_calls_total\{method="GetSandbox",code="NOT_FOUND"\} 1$/m);
    assert.match(text, /^shellgate_sandboxes\{phase="Ready",driver="docker"\} 3$/m);
    assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_bucket\{driver="docker",le="2"\} 1$/m);
    assert.match(text, /^shellgate_sandbox_create_to_ready_seconds_count\{driver="docker"\} 1$/m);
    assert.match(text, /^shellgate_exec_start_seconds_bucket\{driver="docker",le="0.05"\} 1$/m);
    assert.match(text, /^shellgate_exec_start_seconds_bucket\{driver="podman",le="2.5"\} 0$/m);
    assert.match(text, /^shellgate_exec_start_seconds_count\{driver="podman"\} 1$/m);
    assert.match(text, /^shellgate_driver_restarts_total\{driver="docker"\} 1$/m);
    assert.match(text, /^shellgate_driver_restarts_total\{driver="podman"\} 0$/m, 'a declared driver counts from 0');
    assert.match(text, /^shellgate_driver_watch_reconnects_total\{driver="podman"\} 0$/m);
    assert.match(text, /^shellgate_driver_watch_reconnects_total\{driver="docker"\} 2$/m);
  } finally {
    await telemetry.close();
  }
});

void test('enabled without an OTLP endpoint: API calls run untraced and driver calls carry no traceparent', { timeout: 10_000 }, async () => {
  const port = await freePort();
  const telemetry = await startGatewayTelemetry({ env: { OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` } });
  assert.ok(telemetry !== undefined);
  try {
    assert.equal(telemetry.tracesUrl, undefined);
    const observed = await telemetry.traceApiCall('CreateSandbox', async () => telemetry.traceDriverCalls('docker').startCall('CreateSandbox'));
    assert.equal(observed, undefined);
  } finally {
    await telemetry.close();
  }
});

void test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins; OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces', () => {
  assert.equal(resolveTracesUrl({}), undefined);
  assert.equal(resolveTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), 'http://collector:4318/v1/traces');
  assert.equal(resolveTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/traces' }), 'http://b/traces');
});

void test('traced: a driver call inside an API call gets a child span whose traceparent names the API call\'s trace', { timeout: 10_000 }, async () => {
  const received: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string }> = [];
  const collector = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: typeof received }> }> };
      for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port: collectorPort } = collector.address() as AddressInfo;
  const port = await freePort();
  const env = { OPENSHELL_TELEMETRY_ENABLED: 'yes', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}` };
  const telemetry = await startGatewayTelemetry({ env });
  assert.ok(telemetry !== undefined);
  try {
    const driverCalls = telemetry.traceDriverCalls('docker');
    assert.equal(driverCalls.startCall('GetCapabilities'), undefined, 'outside an API call: no span');
    const traceparent = await telemetry.traceApiCall('CreateSandbox', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const call = driverCalls.startCall('CreateSandbox');
      call?.end(undefined);
      return call?.metadata['traceparent'];
    });
    assert.match(String(traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await telemetry.traceApiCall('GetSandbox', async () => undefined, `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`);
  } finally {
    await telemetry.close();
    await new Promise((resolve) => collector.close(resolve));
  }
  const server = received.find((span) => span.name === 'CreateSandbox');
  const client = received.find((span) => span.name === 'ComputeDriver/CreateSandbox');
  assert.ok(server !== undefined && client !== undefined, `spans exported: ${JSON.stringify(received)}`);
  assert.equal(client.traceId, server.traceId);
  assert.equal(client.parentSpanId, server.spanId);
  assert.equal(server.parentSpanId ?? '', '', 'a call without a traceparent starts a trace');
  const joined = received.find((span) => span.name === 'GetSandbox');
  assert.deepEqual([joined?.traceId, joined?.parentSpanId], [CALLER_TRACE_ID, CALLER_SPAN_ID], 'a call with a traceparent joins the caller\'s trace');
  assert.equal(received.length, 3);
});
