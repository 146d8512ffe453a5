// Issue 14: every driver set installs alone. scripts/package.sh packs the workspace and
// installs each combination of packages/driver-* (the gateway alone, each driver alone, a
// pair, the first driver with @shellgate/telemetry, the default meta package) from the
// tarballs with plain npm into a fresh prefix; this file then runs each installed gateway and
// CLI: exactly the installed drivers, the zero-driver and not-installed errors at start,
// auto-detect, nothing of an omitted driver (nor of telemetry or its dependency tree unless
// chosen) on disk, /metrics and OTLP traces where telemetry is installed and enabled and
// neither where it is disabled, a Docker sandbox Ready through the installed CLI, and the
// gateway image scripts/image.sh builds for the Docker driver running a sandbox to Ready. An
// engine-group file (scripts/test.sh): it runs sandboxes on the shared Docker engine.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetGatewayInfoResponse } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';
import { BUILTIN_DRIVERS } from '@shellgate/gateway';
import { REPO_ROOT, TEST_IMAGE, containersWithLabel, docker, requireDockerEngine, runCommand } from '../docker/docker-engine.js';
import { e2eObjectName, removeNetwork, toTomlLines } from '../docker/docker-driver-process.js';
import { E2E_RUN, GATEWAY_ID_LABEL, RUN_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { freePort } from '../harness/free-port.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { startOtlpReceiver } from '../harness/otlp-receiver.js';
import { runCli } from '../harness/run-cli.js';
import { driverSettings, installedBins, installedPackageNames, listDrivers, rememberGatewayId, runGrep, shortName } from './installed-combination.js';
import type { Combination } from './installed-combination.js';

/** Every install here (all combinations, in parallel) took ~4 minutes on 2 loaded cores. */
const PACKAGE_TIMEOUT_MS = 540_000;
/** What runs, as scripts/package.mjs greps it: docs (.md, .d.ts, .map) may name any driver. */
const CODE_FILES = ['*.js', '*.mjs', '*.cjs', '*.node', '*.json'];
const TELEMETRY_PACKAGE = '@shellgate/telemetry';
/** The CLI in images scripts/image.sh builds. */
const IMAGE_CLI = '/opt/shellgate/app/node_modules/@shellgate/cli/dist/main.js';

describe('packaging matrix: each driver set installs and runs alone', () => {
  let outDir = '';
  let stateRoot = '';
  let combinations: Combination[] = [];
  let workspaceDrivers: string[] = [];
  const gatewayIds: string[] = [];

  const startGateway = (combination: Combination, configToml: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> => {
    const stateDir = join(stateRoot, combination.name);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // cwd: the prefix, as an operator runs it; the gateway also resolves drivers from there.
    return GatewayProcess.start({ configToml, stateDir, gatewayBin: installedBins(combination).gateway, cwd: combination.prefix, env, readyTimeoutMs: 90_000 });
  };
  const startFailure = async (combination: Combination, configToml: string): Promise<string> => {
    const error = await startGateway(combination, configToml).then(
      async (gateway) => {
        await gateway.stop();
        return undefined;
      },
      (caught: unknown) => (caught as Error).message,
    );
    assert.ok(error !== undefined, `${combination.name}: the gateway started`);
    return error;
  };

  before(async () => {
    await requireDockerEngine();
    workspaceDrivers = readdirSync(join(REPO_ROOT, 'packages'))
      .filter((dir) => dir.startsWith('driver-') && dir !== 'driver-sdk')
      .map((dir) => `@shellgate/${dir}`);
    outDir = mkdtempSync(join(tmpdir(), 'sg-e2e-packages-'));
    stateRoot = mkdtempSync(join(tmpdir(), 'sg-e2e-pkg-state-'));
    const result = await runCommand('bash', [join(REPO_ROOT, 'scripts/package.sh'), '--out', outDir], PACKAGE_TIMEOUT_MS);
    assert.equal(result.code, 0, `scripts/package.sh failed:\n${result.stdout}\n${result.stderr}`);
    combinations = (JSON.parse(readFileSync(join(outDir, 'combinations.json'), 'utf8')) as { combinations: Combination[] }).combinations;
  });

  after(async () => {
    for (const gatewayId of gatewayIds) {
      const leftovers = await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
      if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
    }
    for (const driver of workspaceDrivers) await removeNetwork(e2eObjectName(`pkg-${shortName(driver)}`));
    rmSync(outDir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  });

  it('covers the gateway alone, each driver alone, a pair when there are two, and the default install', () => {
    const [first, second] = workspaceDrivers.map(shortName);
    const expected = ['gateway', ...workspaceDrivers.map(shortName), ...(second === undefined ? [] : [`${first}+${second}`]), ...(first === undefined ? [] : [`${first}+telemetry`]), 'default'];
    assert.deepEqual(combinations.map((c) => c.name), expected);
    for (const combination of combinations) assert.ok(existsSync(combination.sbom), `${combination.name}: SBOM written`);
  });

  it('holds exactly the chosen driver packages, and nothing of an omitted driver', async (t) => {
    for (const combination of combinations) {
      await t.test(combination.name, () => {
        const scope = join(combination.prefix, 'node_modules/@shellgate');
        const installedDrivers = readdirSync(scope).filter((dir) => dir.startsWith('driver-') && dir !== 'driver-sdk').map((dir) => `@shellgate/${dir}`);
        assert.deepEqual(installedDrivers.sort(), [...combination.drivers].sort());
        const installed = installedPackageNames(combination.prefix);
        for (const name of combination.absent.packages) assert.ok(!installed.has(name), `${combination.name} holds ${name}`);
        const markers = combination.absent.markers.flatMap((marker) => ['-e', marker]);
        const grep = markers.length === 0 ? '' : runGrep(['-rlF', ...CODE_FILES.map((glob) => `--include=${glob}`), ...markers, join(combination.prefix, 'node_modules')]);
        assert.equal(grep, '', `${combination.name}: files naming an omitted driver`);
      });
    }
  });

  it('nothing of @shellgate/telemetry\'s dependency tree is in an install without it', () => {
    const withTelemetry = combinations.find((c) => c.roots.includes(TELEMETRY_PACKAGE));
    assert.ok(withTelemetry !== undefined, 'no combination installs telemetry');
    const same = combinations.find((c) => c !== withTelemetry && !c.roots.includes(TELEMETRY_PACKAGE) && c.drivers.join() === withTelemetry.drivers.join());
    const all = combinations.find((c) => c.name === 'default');
    assert.ok(same !== undefined && all !== undefined);
    // What telemetry alone brings: neither the same drivers without it nor every driver needs it.
    const others = new Set([...installedPackageNames(same.prefix), ...installedPackageNames(all.prefix)]);
    const tree = [...installedPackageNames(withTelemetry.prefix)].filter((name) => !others.has(name));
    for (const expected of [TELEMETRY_PACKAGE, '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/otlp-transformer']) {
      assert.ok(tree.includes(expected), `${expected} is in telemetry's tree: ${tree.join(', ')}`);
    }
    for (const combination of combinations.filter((c) => !c.roots.includes(TELEMETRY_PACKAGE))) {
      const installed = installedPackageNames(combination.prefix);
      assert.deepEqual(tree.filter((name) => installed.has(name)), [], `${combination.name} holds telemetry's dependencies`);
    }
  });

  it('without any driver the gateway fails at start naming every built-in package and the install command', async () => {
    const gatewayAlone = combinations.find((c) => c.drivers.length === 0);
    assert.ok(gatewayAlone !== undefined);
    const error = await startFailure(gatewayAlone, '');
    for (const driver of BUILTIN_DRIVERS) assert.match(error, new RegExp(`${driver.packageName}[,; ]`));
    assert.match(error, /npm install -g @shellgate\/driver-/);
  });

  it('a configured built-in that is not installed fails at start naming its package and the install command', async (t) => {
    for (const combination of combinations.filter((c) => c.drivers.length > 0)) {
      const missing = BUILTIN_DRIVERS.find((driver) => !combination.drivers.includes(driver.packageName));
      if (missing === undefined) continue;
      await t.test(`${combination.name} configures ${missing.name}`, async () => {
        const error = await startFailure(combination, `[drivers.${missing.name}]`);
        assert.match(error, new RegExp(`package ${missing.packageName} is not installed`));
        assert.match(error, new RegExp(`npm install -g ${missing.packageName}`));
      });
    }
  });

  it('GetGatewayInfo and the installed `shellgate gateway info` list exactly the configured drivers', async (t) => {
    for (const combination of combinations.filter((c) => c.drivers.length > 0)) {
      await t.test(combination.name, async () => {
        const names = combination.drivers.map(shortName);
        const tables = names.flatMap((name) => [`[drivers.${name}]`, ...toTomlLines(driverSettings(name, join(stateRoot, combination.name)).table)]);
        const gateway = await startGateway(combination, tables.join('\n'));
        try {
          rememberGatewayId(gateway, gatewayIds);
          assert.deepEqual((await listDrivers(gateway.address)).sort(), [...names].sort());
          const cli = await runCli(['--gateway', gateway.address, 'gateway', 'info', '-o', 'json'], {}, 30_000, installedBins(combination).cli);
          assert.equal(cli.code, 0, cli.stderr);
          const listed = GetGatewayInfoResponse.fromJSON(JSON.parse(cli.stdout)).computeDrivers.map((d) => d.name);
          assert.deepEqual(listed.sort(), [...names].sort());
        } finally {
          await gateway.stop();
        }
      });
    }
  });

  it('auto-detect picks the first installed built-in in its documented order and logs why it skipped the others', async (t) => {
    for (const combination of combinations.filter((c) => c.drivers.length > 0)) {
      await t.test(combination.name, async () => {
        const order = BUILTIN_DRIVERS.filter((driver) => combination.drivers.includes(driver.packageName));
        const chosen = order[0];
        assert.ok(chosen !== undefined, `${combination.name}: no installed driver is in the built-in catalog`);
        const skipped = BUILTIN_DRIVERS.slice(0, BUILTIN_DRIVERS.indexOf(chosen));
        const gateway = await startGateway(combination, '', driverSettings(chosen.name, join(stateRoot, combination.name)).env);
        try {
          rememberGatewayId(gateway, gatewayIds);
          assert.deepEqual(await listDrivers(gateway.address), [chosen.name]);
          const skips = gateway.entries((e) => e.message === 'driver auto-detect skipped a candidate');
          assert.deepEqual(skips.map((e) => e.strategy), skipped.map((d) => `${d.name} (${d.packageName})`));
          for (const skip of skips) assert.match(String(skip.reason), /is not installed/);
        } finally {
          await gateway.stop();
        }
      });
    }
  });

  it('the image scripts/image.sh builds for the Docker driver lists exactly that driver and runs a sandbox to Ready', async () => {
    const tag = `shellgate-local/gateway:${e2eObjectName('img')}`;
    const container = e2eObjectName('img');
    const built = await runCommand('bash', [join(REPO_ROOT, 'scripts/image.sh'), '--drivers', 'docker', '--tag', tag, '--packages', outDir], PACKAGE_TIMEOUT_MS);
    assert.equal(built.code, 0, `scripts/image.sh failed:\n${built.stdout}\n${built.stderr}`);
    const port = await freePort();
    const network = e2eObjectName('pkgimg');
    // The state dir at the same path inside and out: the host's dockerd bind-mounts the token
    // files and the runtime bundle the gateway in the image keeps there (docs/packaging.md).
    const stateDir = join(stateRoot, 'image');
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const address = `127.0.0.1:${port}`;
    const cli = (args: readonly string[]): ReturnType<typeof runCommand> =>
      runCommand('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'node', tag, IMAGE_CLI, '--gateway', address, ...args], 120_000);
    try {
      // Host network (sandboxes call back on the engine network's gateway address) and the engine socket.
      await docker(['run', '-d', '--name', container, '--label', `${RUN_LABEL}=${E2E_RUN}`, '--network', 'host',
        '-v', '/var/run/docker.sock:/var/run/docker.sock', '-v', `${stateDir}:${stateDir}`, '-e', `SHELLGATE_STATE_DIR=${stateDir}`,
        '-e', `SHELLGATE_LISTEN=${address}`, '-e', `SHELLGATE_DOCKER_NETWORK=${network}`, '-e', 'SHELLGATE_DOCKER_IMAGE_PULL_POLICY=Never',
        '-e', `SHELLGATE_DOCKER_DEFAULT_IMAGE=${TEST_IMAGE}`, tag]);
      const deadline = Date.now() + 90_000;
      let logs = '';
      while (!logs.includes('"gateway ready"') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const result = await runCommand('docker', ['logs', container]);
        logs = `${result.stdout}${result.stderr}`;
      }
      assert.ok(logs.includes('"gateway ready"'), `the image's gateway is not ready:\n${logs}`);
      const ready = logs.split('\n').filter((line) => line.includes('"gateway ready"')).map((line) => JSON.parse(line) as { gatewayId?: unknown })[0];
      if (typeof ready?.gatewayId === 'string') gatewayIds.push(ready.gatewayId);
      assert.deepEqual(await listDrivers(address), ['docker']);
      // The image has no /usr/bin/env for the bins' shebang: node runs the CLI, as docs/packaging.md says.
      assert.match((await cli(['gateway', 'info'])).stdout, /^docker\s+docker\s/m, 'the CLI inside the image lists the driver');
      const name = uniqueSandboxName('img');
      const created = await cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '90s', '-o', 'json']);
      assert.equal(created.code, 0, `${created.stderr}\n${(await runCommand('docker', ['logs', container])).stdout}`);
      assert.equal(String((JSON.parse(created.stdout) as Sandbox).status?.phase), 'SANDBOX_PHASE_READY');
      const exec = await cli(['sandbox', 'exec', name, '--', 'echo', 'from-image']);
      assert.equal(exec.stdout, 'from-image\n', exec.stderr);
      assert.equal((await cli(['sandbox', 'delete', name, '--wait', '--timeout', '90s'])).code, 0);
    } finally {
      await runCommand('docker', ['rm', '-f', container]);
      await removeNetwork(network);
      await runCommand('docker', ['image', 'rm', tag]);
    }
  });

  it('with @shellgate/telemetry installed and enabled, the installed gateway serves /metrics and exports OTLP traces; disabled, neither', async (t) => {
    for (const combination of combinations.filter((c) => c.roots.includes(TELEMETRY_PACKAGE))) {
      const tables = combination.drivers.map(shortName).flatMap((name) => [`[drivers.${name}]`, ...toTomlLines(driverSettings(name, join(stateRoot, combination.name)).table)]);
      const run = async (enabled: string): Promise<{ metrics: string | undefined; spans: string[]; requests: number }> => {
        const port = await freePort();
        const collector = await startOtlpReceiver();
        const env = { OPENSHELL_TELEMETRY_ENABLED: enabled, OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint };
        let metrics: string | undefined;
        try {
          const gateway = await startGateway(combination, tables.join('\n'), env);
          try {
            rememberGatewayId(gateway, gatewayIds);
            await listDrivers(gateway.address);
            metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text(), () => undefined);
          } finally {
            // Stopping flushes the spans.
            await gateway.stop();
          }
        } finally {
          await collector.close();
        }
        return { metrics, spans: collector.spans.map((span) => span.name), requests: collector.requests() };
      };
      await t.test(`${combination.name} enabled`, async () => {
        const { metrics, spans } = await run('true');
        assert.match(String(metrics), /^shellgate_api_calls_total\{method="GetGatewayInfo",code="OK"\} 1$/m);
        assert.ok(spans.includes('GetGatewayInfo'), `spans exported: ${spans.join(', ')}`);
      });
      await t.test(`${combination.name} installed but disabled`, async () => {
        const { metrics, requests } = await run('false');
        assert.equal(metrics, undefined, 'no /metrics listener');
        assert.equal(requests, 0, 'nothing exported');
      });
    }
  });

  it('with the Docker driver installed alone, a sandbox reaches Ready through the installed CLI', async () => {
    const combination = combinations.find((c) => c.drivers.length === 1 && c.drivers[0] === '@shellgate/driver-docker');
    assert.ok(combination !== undefined, 'no docker-only install');
    const settings = driverSettings('docker', join(stateRoot, combination.name));
    const gateway = await startGateway(combination, ['[drivers.docker]', ...toTomlLines(settings.table)].join('\n'));
    try {
      rememberGatewayId(gateway, gatewayIds);
      const cli = (args: readonly string[]): ReturnType<typeof runCli> =>
        runCli(['--gateway', gateway.address, ...args], {}, 120_000, installedBins(combination).cli);
      const name = uniqueSandboxName('pkg');
      const created = await cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '90s', '-o', 'json']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(String((JSON.parse(created.stdout) as Sandbox).status?.phase), 'SANDBOX_PHASE_READY');
      const exec = await cli(['sandbox', 'exec', name, '--', 'echo', 'installed']);
      assert.equal(exec.stdout, 'installed\n', exec.stderr);
      assert.equal((await cli(['sandbox', 'delete', name])).code, 0);
    } finally {
      await gateway.stop();
    }
  });
});
