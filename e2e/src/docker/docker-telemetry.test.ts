// Issue 14, item 5 on a real engine: with @shellgate/telemetry enabled, a Docker sandbox's
// create and an exec through the CLI show in /metrics with the driver label: the sandbox by
// phase and driver, create→Ready, the exec start latency and the API calls. An engine file
// (scripts/test.sh runs e2e/dist/docker/* one at a time).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freePort } from '../harness/free-port.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { runCli } from '../harness/run-cli.js';
import { scrapeMetricsUntil } from '../harness/scrape-metrics.js';
import { containersWithLabel, docker, requireDockerEngine } from './docker-engine.js';
import { defaultDriverConfig, removeNetwork, toTomlLines } from './docker-driver-process.js';
import type { DriverConfigValue } from './docker-driver-process.js';
import { GATEWAY_ID_LABEL, uniqueSandboxName } from './e2e-run.js';
import { buildSupervisorRuntime } from './supervisor-runtime.js';

/** e2e/: its node_modules holds @shellgate/telemetry. */
const E2E_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A sandbox created and exec'd through the CLI; every figure then shows on /metrics. */
async function createAndExec(address: string, metricsPort: number): Promise<void> {
  const cli = (args: readonly string[]): ReturnType<typeof runCli> => runCli(['--gateway', address, ...args], {}, 120_000);
  const name = uniqueSandboxName('tel');
  const created = await cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '90s']);
  assert.equal(created.code, 0, created.stderr);
  const exec = await cli(['sandbox', 'exec', name, '--', 'echo', 'measured']);
  assert.equal(exec.stdout, 'measured\n', exec.stderr);
  const expected = [
    /^shellgate_sandboxes\{phase="Ready",driver="docker"\} 1$/m,
    /^shellgate_sandbox_create_to_ready_seconds_count\{driver="docker"\} 1$/m,
    /^shellgate_exec_start_seconds_count\{driver="docker"\} 1$/m,
    /^shellgate_exec_start_seconds_bucket\{driver="docker",le="\+Inf"\} 1$/m,
    /^shellgate_api_calls_total\{method="CreateSandbox",code="OK"\} 1$/m,
    /^shellgate_api_calls_total\{method="ExecSandbox",code="OK"\} 1$/m,
  ];
  const text = await scrapeMetricsUntil(metricsPort, expected);
  for (const pattern of expected) assert.match(text, pattern);
  const sum = Number(/^shellgate_exec_start_seconds_sum\{driver="docker"\} (\S+)$/m.exec(text)?.[1]);
  assert.ok(sum > 0 && sum < 30, `exec start took ${sum} s`);
  assert.equal((await cli(['sandbox', 'delete', name, '--wait', '--timeout', '90s'])).code, 0);
}

describe('telemetry with the Docker driver', () => {
  it('/metrics counts a create and an exec by driver', { timeout: 240_000 }, async () => {
    await requireDockerEngine();
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-dtel-'));
    const driverConfig: Record<string, DriverConfigValue> = { ...defaultDriverConfig('tel', join(stateDir, 'docker-driver')), inject_supervisor: true };
    try {
      driverConfig['supervisor_runtime_dir'] = buildSupervisorRuntime(join(stateDir, 'runtime'));
      const configToml = ['[drivers.docker]', `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`, ...toTomlLines(driverConfig)].join('\n');
      const port = await freePort();
      const env = { OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` };
      const gateway = await GatewayProcess.start({ stateDir, configToml, cwd: E2E_DIR, env, readyTimeoutMs: 30_000 });
      const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
      const gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
      try {
        await createAndExec(gateway.address, port);
      } finally {
        await gateway.stop();
        const leftovers = gatewayId === '' ? [] : await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
        if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
      }
    } finally {
      await removeNetwork(String(driverConfig['network_name']));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
