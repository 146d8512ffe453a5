import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShellgateError } from '@shellgate/driver-sdk';
import type { LogFields, Logger } from '@shellgate/driver-sdk';
import type { DriverConfigEntry } from '../config/index.js';
import type { BuiltinResolver } from './resolve-builtin-driver.js';
import { createBuiltinResolver } from './resolve-builtin-driver.js';
import { selectDrivers } from './driver-selection.js';

const origins = { default_driver: 'default' } as never;

function installed(...names: string[]): BuiltinResolver {
  return (driver) =>
    names.includes(driver.name)
      ? { isInstalled: true, binPath: `/pkgs/${driver.packageName}/dist/main.js`, packageVersion: '1.0.0' }
      : { isInstalled: false, reason: `package ${driver.packageName} is not installed (MODULE_NOT_FOUND)` };
}

function entry(name: string, extra: Partial<DriverConfigEntry> = {}): DriverConfigEntry {
  return { name, origin: `/etc/g.toml:1:drivers.${name}`, settings: {}, ...extra };
}

function recorder(): { logger: Logger; lines: Array<[string, string, LogFields | undefined]> } {
  const lines: Array<[string, string, LogFields | undefined]> = [];
  const logger: Logger = {
    error: (message, fields) => lines.push(['error', message, fields]),
    warn: (message, fields) => lines.push(['warn', message, fields]),
    info: (message, fields) => lines.push(['info', message, fields]),
    debug: (message, fields) => lines.push(['debug', message, fields]),
    child: () => logger,
  };
  return { logger, lines };
}

function caught(run: () => unknown): { message: string; hint: string } {
  try {
    run();
  } catch (error) {
    assert.ok(isShellgateError(error));
    return { message: error.message, hint: error.hint ?? '' };
  }
  return assert.fail('expected an error');
}

void test('configured drivers become specs: built-in from its package bin, command and socket as given', () => {
  const selection = selectDrivers(
    {
      drivers: [
        entry('docker', { settings: { network: 'x' } }),
        entry('mine', { command: ['/opt/mine'], settings: { a: 1 } }),
        entry('lxd', { socket: '/run/lxd.sock' }),
      ],
      defaultDriver: undefined,
      origins,
    },
    { resolveBuiltin: installed('docker'), execPath: '/usr/bin/node' },
  );
  assert.deepEqual(selection.drivers, [
    {
      name: 'docker',
      kind: 'builtin',
      command: ['/usr/bin/node', '/pkgs/@shellgate/driver-docker/dist/main.js'],
      driverConfig: { network: 'x' },
      packageName: '@shellgate/driver-docker',
      origin: '/etc/g.toml:1:drivers.docker',
    },
    { name: 'mine', kind: 'command', command: ['/opt/mine'], driverConfig: { a: 1 }, origin: '/etc/g.toml:1:drivers.mine' },
    { name: 'lxd', kind: 'socket', socketPath: '/run/lxd.sock', driverConfig: {}, origin: '/etc/g.toml:1:drivers.lxd' },
  ]);
  assert.equal(selection.defaultDriverName, 'docker');
});

void test('default_driver picks among configured drivers, and an unknown one names its origin', () => {
  const drivers = [entry('a', { socket: '/a' }), entry('b', { socket: '/b' })];
  assert.equal(selectDrivers({ drivers, defaultDriver: 'b', origins }).defaultDriverName, 'b');
  const error = caught(() => selectDrivers({ drivers, defaultDriver: 'c', origins: { default_driver: 'flag --default-driver' } as never }));
  assert.match(error.message, /^flag --default-driver: default_driver "c" is not a configured driver/);
  assert.match(error.hint, /one of a, b/);
});

void test('a configured built-in that is not installed names the package and the install commands', () => {
  const error = caught(() => selectDrivers({ drivers: [entry('podman')], defaultDriver: undefined, origins }, { resolveBuiltin: installed() }));
  assert.match(error.message, /^\/etc\/g\.toml:1:drivers\.podman: built-in driver "podman" cannot be used: package @shellgate\/driver-podman is not installed/);
  assert.match(error.hint, /pnpm add @shellgate\/driver-podman/);
  assert.match(error.hint, /npm install -g @shellgate\/driver-podman/);
});

void test('a table that is neither built-in nor command nor socket says how to fix it', () => {
  const error = caught(() => selectDrivers({ drivers: [entry('lxd')], defaultDriver: undefined, origins }, { resolveBuiltin: installed() }));
  assert.match(error.message, /driver "lxd" is not a built-in and has neither command nor socket/);
  assert.match(error.hint, /docker, podman, k8s, vm/);
});

void test('auto-detect follows docker, podman, k8s, vm, logging why each candidate was skipped', () => {
  const { logger, lines } = recorder();
  const selection = selectDrivers({ drivers: [], defaultDriver: undefined, origins }, { resolveBuiltin: installed('k8s', 'vm'), logger, execPath: 'node' });
  assert.equal(selection.drivers[0]?.name, 'k8s');
  assert.equal(selection.drivers[0]?.origin, 'auto-detect');
  assert.equal(selection.drivers.length, 1);
  assert.equal(selection.defaultDriverName, 'k8s');
  const skipped = lines.filter(([, message]) => message.includes('skipped')).map(([, , fields]) => fields?.strategy);
  assert.deepEqual(skipped, ['docker (@shellgate/driver-docker)', 'podman (@shellgate/driver-podman)']);
});

void test('no usable driver lists every attempt and its reason', () => {
  const error = caught(() => selectDrivers({ drivers: [], defaultDriver: undefined, origins }, { resolveBuiltin: installed() }));
  for (const name of ['docker', 'podman', 'k8s', 'vm']) {
    assert.match(error.message, new RegExp(`${name} \\(@shellgate/driver-${name}\\): package @shellgate/driver-${name} is not installed`));
  }
  assert.match(error.hint, /pnpm add @shellgate\/driver-docker/);
  assert.match(error.hint, /npm install -g @shellgate\/driver-docker/);
  for (const name of ['docker', 'podman', 'k8s', 'vm']) assert.match(error.hint, new RegExp(`@shellgate/driver-${name}[, ]`));
});

void test('the real resolver reports a package that is not installed, and finds a package bin', () => {
  const resolve = createBuiltinResolver();
  const missing = resolve({ name: 'nope', packageName: '@shellgate/driver-nope-not-real', binName: 'x' });
  assert.equal(missing.isInstalled, false);
  assert.match(missing.isInstalled ? '' : missing.reason, /@shellgate\/driver-nope-not-real is not installed/);
  // The SDK is a dependency of the gateway and has bins, so it stands in for a driver package.
  const sdk = resolve({ name: 'fake', packageName: '@shellgate/driver-sdk', binName: 'shellgate-fake-driver' });
  assert.ok(sdk.isInstalled);
  assert.match(sdk.isInstalled ? sdk.binPath : '', /driver-sdk\/dist\/fake-driver\/main\.js$/);
  const noBin = resolve({ name: 'fake', packageName: '@shellgate/driver-sdk', binName: 'no-such-bin' });
  assert.match(noBin.isInstalled ? '' : noBin.reason, /declares no bin no-such-bin/);
});
