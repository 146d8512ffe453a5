// Issue 14: every driver set installs alone. scripts/package.sh packs the workspace and
// installs each combination of packages/driver-* (the gateway alone, each driver alone, a
// pair, the first driver with @shellgate/telemetry, the default meta package) from the
// tarballs with plain npm into a fresh prefix; this file then runs each installed gateway and
// CLI: exactly the installed drivers, the zero-driver and not-installed errors at start,
// auto-detect, nothing of an omitted driver (nor of telemetry unless chosen) on disk,
// /metrics where telemetry is installed, a Docker sandbox Ready through the installed CLI,
// and the gateway image scripts/image.sh builds for the Docker driver. An engine-group file
// (scripts/test.sh): it runs sandboxes on the shared Docker engine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetGatewayInfoResponse } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';
import { BUILTIN_DRIVERS } from '@shellgate/gateway';
import { REPO_ROOT, TEST_IMAGE, containersWithLabel, docker, requireDockerEngine, runCommand } from '../docker/docker-engine.js';
import { e2eObjectName, removeNetwork, toTomlLines } from '../docker/docker-driver-process.js';
import type { DriverConfigValue } from '../docker/docker-driver-process.js';
import { E2E_RUN, GATEWAY_ID_LABEL, RUN_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { runCli } from '../harness/run-cli.js';
import { VM_CACHE_DIR, e2eRunDir } from '../vm/vm-engine.js';

/** One install, as scripts/package.mjs writes it to combinations.json. */
interface Combination {
  readonly name: string;
  readonly roots: readonly string[];
  readonly drivers: readonly string[];
  readonly prefix: string;
  readonly sbom: string;
  readonly absent: { readonly packages: readonly string[]; readonly markers: readonly string[] };
}

/** Every install here (all combinations, in parallel) took ~4 minutes on 2 loaded cores. */
const PACKAGE_TIMEOUT_MS = 540_000;
/** What runs, as scripts/package.mjs greps it: docs (.md, .d.ts, .map) may name any driver. */
const CODE_FILES = ['*.js', '*.mjs', '*.cjs', '*.node', '*.json'];
const shortName = (driverPackage: string): string => driverPackage.replace('@shellgate/driver-', '');

/**
 * What a driver needs to run in this test, as a table and as the env its auto-detected
 * (table-less) instance reads: the Docker driver gets the local image, never a pull, and its
 * own network and state. A driver landing without an entry runs with its defaults.
 */
/** Env prefixes of the container drivers' settings; other drivers run with their defaults. */
const CONTAINER_DRIVER_ENV_PREFIX: Readonly<Record<string, string>> = { docker: 'SHELLGATE_DOCKER', podman: 'SHELLGATE_PODMAN' };

function driverSettings(driver: string, stateDir: string): { table: Record<string, DriverConfigValue>; env: NodeJS.ProcessEnv } {
  if (driver === 'vm') {
    // The prepared cache of scripts/engines/vm.sh when there is one: the driver fetches nothing at start either way.
    const table = { default_image: TEST_IMAGE, state_dir: join(stateDir, 'driver-vm'), cache_dir: VM_CACHE_DIR, run_dir: e2eRunDir('pkg') };
    return { table, env: { SHELLGATE_VM_DEFAULT_IMAGE: table.default_image, SHELLGATE_VM_STATE_DIR: table.state_dir, SHELLGATE_VM_CACHE_DIR: table.cache_dir, SHELLGATE_VM_RUN_DIR: table.run_dir } };
  }
  const prefix = CONTAINER_DRIVER_ENV_PREFIX[driver];
  if (prefix === undefined) return { table: {}, env: {} };
  const table = { default_image: TEST_IMAGE, image_pull_policy: 'Never', network_name: e2eObjectName(`pkg-${driver}`), state_dir: join(stateDir, `driver-${driver}`) };
  const env = {
    [`${prefix}_DEFAULT_IMAGE`]: table.default_image,
    [`${prefix}_IMAGE_PULL_POLICY`]: table.image_pull_policy,
    [`${prefix}_NETWORK`]: table.network_name,
    [`${prefix}_STATE_DIR`]: table.state_dir,
  };
  return { table, env };
}

/** The installed bins: the default install through the meta package's own shims. */
function installedBins(combination: Combination): { gateway: string; cli: string } {
  const modules = join(combination.prefix, 'node_modules');
  if (combination.name === 'default') {
    return { gateway: join(modules, '@shellgate/shellgate/bin/shellgate-gateway.js'), cli: join(modules, '@shellgate/shellgate/bin/shellgate.js') };
  }
  return { gateway: join(modules, '@shellgate/gateway/dist/main.js'), cli: join(modules, '@shellgate/cli/dist/main.js') };
}

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
    await removeNetwork(e2eObjectName('pkg'));
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
        const found = execFileSync('find', [join(combination.prefix, 'node_modules'), '-name', 'package.json', '-path', '*/node_modules/*'], { encoding: 'utf8' });
        for (const name of combination.absent.packages) assert.ok(!found.includes(`/node_modules/${name}/package.json`), `${combination.name} holds ${name}`);
        const markers = combination.absent.markers.flatMap((marker) => ['-e', marker]);
        const grep = markers.length === 0 ? '' : runGrep(['-rlF', ...CODE_FILES.map((glob) => `--include=${glob}`), ...markers, join(combination.prefix, 'node_modules')]);
        assert.equal(grep, '', `${combination.name}: files naming an omitted driver`);
      });
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

  it('the image scripts/image.sh builds for the Docker driver runs a gateway listing exactly that driver', async () => {
    const tag = `shellgate-local/gateway:${e2eObjectName('img')}`;
    const container = e2eObjectName('img');
    const built = await runCommand('bash', [join(REPO_ROOT, 'scripts/image.sh'), '--drivers', 'docker', '--tag', tag, '--packages', outDir], PACKAGE_TIMEOUT_MS);
    assert.equal(built.code, 0, `scripts/image.sh failed:\n${built.stdout}\n${built.stderr}`);
    const port = await findFreePort();
    const network = e2eObjectName('pkgimg');
    try {
      // Host network and the engine socket: the driver in the image talks to this engine.
      await docker(['run', '-d', '--name', container, '--label', `${RUN_LABEL}=${E2E_RUN}`, '--network', 'host',
        '-v', '/var/run/docker.sock:/var/run/docker.sock', '-e', `SHELLGATE_LISTEN=127.0.0.1:${port}`,
        '-e', `SHELLGATE_DOCKER_NETWORK=${network}`, '-e', 'SHELLGATE_DOCKER_IMAGE_PULL_POLICY=Never', tag]);
      const deadline = Date.now() + 60_000;
      let logs = '';
      while (!logs.includes('"gateway ready"') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const result = await runCommand('docker', ['logs', container]);
        logs = `${result.stdout}${result.stderr}`;
      }
      assert.ok(logs.includes('"gateway ready"'), `the image's gateway is not ready:\n${logs}`);
      assert.deepEqual(await listDrivers(`127.0.0.1:${port}`), ['docker']);
      // The image has no /usr/bin/env for the bins' shebang: node runs the CLI, as docs/packaging.md says.
      const cliArgs = ['/opt/shellgate/app/node_modules/@shellgate/cli/dist/main.js', '--gateway', `127.0.0.1:${port}`, 'gateway', 'info'];
      const listed = (await runCommand('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'node', tag, ...cliArgs])).stdout;
      assert.match(listed, /^docker\s+docker\s/m, 'the CLI inside the image lists the driver');
    } finally {
      await runCommand('docker', ['rm', '-f', container]);
      await removeNetwork(network);
      await runCommand('docker', ['image', 'rm', tag]);
    }
  });

  it('with @shellgate/telemetry installed and enabled, the installed gateway serves /metrics', async (t) => {
    for (const combination of combinations.filter((c) => c.roots.includes('@shellgate/telemetry'))) {
      await t.test(combination.name, async () => {
        const tables = combination.drivers.map(shortName).flatMap((name) => [`[drivers.${name}]`, ...toTomlLines(driverSettings(name, join(stateRoot, combination.name)).table)]);
        const port = await findFreePort();
        const env = { OPENSHELL_TELEMETRY_ENABLED: 'true', OPENSHELL_TELEMETRY_METRICS_LISTEN: `127.0.0.1:${port}` };
        const gateway = await startGateway(combination, tables.join('\n'), env);
        try {
          rememberGatewayId(gateway, gatewayIds);
          await listDrivers(gateway.address);
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          assert.match(text, /^shellgate_api_calls_total\{method="GetGatewayInfo",code="OK"\} 1$/m);
        } finally {
          await gateway.stop();
        }
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

/** Matching files, one a line; grep exits 1 when nothing matches. */
function runGrep(args: readonly string[]): string {
  try {
    return execFileSync('grep', args, { encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return '';
    throw error;
  }
}

/** A TCP port nobody listens on right now. */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The driver names GetGatewayInfo reports. */
async function listDrivers(address: string): Promise<string[]> {
  const api = new ApiClient(address);
  try {
    return (await api.info()).computeDrivers.map((driver) => driver.name);
  } finally {
    api.close();
  }
}

function rememberGatewayId(gateway: GatewayProcess, ids: string[]): void {
  const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
  if (typeof ready?.gatewayId === 'string') ids.push(ready.gatewayId);
}
