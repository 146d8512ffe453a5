import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envNamesOf, isShellgateError } from '@shellgate/driver-sdk';
import type { ConfigKeySpecs } from '@shellgate/driver-sdk';
import { gatewayConfigSchema } from './config-keys.js';
import { gatewayHelpText, isHelpRequested } from './gateway-help-text.js';
import { loadGatewayConfig } from './gateway-config.js';
import type { LoadGatewayConfigOptions } from './gateway-config.js';

const HOME = '/home/op';
const DEFAULT_FILE = '/home/op/.config/shellgate/gateway.toml';

function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

function load(options: Partial<LoadGatewayConfigOptions> & { files?: Record<string, string> } = {}) {
  return loadGatewayConfig({
    argv: options.argv ?? [],
    env: options.env ?? {},
    readFile: files(options.files ?? {}),
    homeDir: HOME,
    uid: options.uid ?? 1000,
    cwd: '/work',
    ...(options.xdgConfigHome === undefined ? {} : { xdgConfigHome: options.xdgConfigHome }),
  });
}

function configError(run: () => unknown): { message: string; hint: string; origin: string } {
  try {
    run();
  } catch (error) {
    assert.ok(isShellgateError(error), 'a ShellgateError');
    const problems = error.details?.problems as ReadonlyArray<{ origin: string }> | undefined;
    const origin = error.details?.origin ?? problems?.[0]?.origin;
    return { message: error.message, hint: error.hint ?? '', origin: typeof origin === 'string' ? origin : '' };
  }
  return assert.fail('expected a config error');
}

void test('defaults apply with no file, env or flags, and the result is frozen', () => {
  const config = load();
  assert.equal(config.listen, '127.0.0.1:17670');
  assert.equal(config.stateDir, '/home/op/.local/state/shellgate');
  assert.deepEqual(config.database, { kind: 'sqlite', path: '/home/op/.local/state/shellgate/gateway.sqlite' });
  assert.equal(config.logLevel, 'info');
  assert.equal(config.driverReadyTimeoutMs, 10_000);
  assert.equal(config.driverConnectTimeoutMs, 30_000);
  assert.equal(config.shutdownGraceMs, 5_000);
  assert.equal(config.reconcileIntervalMs, 60_000);
  assert.equal(config.orphanGraceMs, 300_000);
  assert.equal(config.shutdownStopConcurrency, 16);
  assert.equal(config.supervisorHeartbeatMs, 15_000);
  assert.equal(config.sandboxLogBufferLines, 10_000);
  assert.equal(config.allowUnauthenticated, false);
  assert.equal(config.configFile, undefined);
  assert.deepEqual(config.drivers, []);
  assert.equal(config.origins.listen, 'default');
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { listen: string }).listen = 'x';
  });
});

void test('state dir follows XDG_STATE_HOME, and root uses /var/lib/shellgate', () => {
  assert.equal(load({ env: { XDG_STATE_HOME: '/xdg/state' } }).stateDir, '/xdg/state/shellgate');
  assert.equal(load({ env: { XDG_STATE_HOME: 'relative' } }).stateDir, '/home/op/.local/state/shellgate');
  assert.equal(load({ uid: 0 }).stateDir, '/var/lib/shellgate');
});

void test('precedence is defaults < gateway.toml < env < flags, and origins say where each came from', () => {
  const toml = 'listen = "0.0.0.0:1"\nlog_level = "warn"\nshutdown_grace_ms = 100\nreconcile_interval_ms = 7\n';
  const config = load({
    files: { [DEFAULT_FILE]: toml },
    env: { SHELLGATE_LOG_LEVEL: 'debug', SHELLGATE_SHUTDOWN_GRACE_MS: '200', SHELLGATE_LISTEN: '127.0.0.1:2' },
    argv: ['--listen', '127.0.0.1:3'],
  });
  assert.equal(config.configFile, DEFAULT_FILE);
  assert.equal(config.listen, '127.0.0.1:3');
  assert.equal(config.origins.listen, 'flag --listen');
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.origins.log_level, 'env SHELLGATE_LOG_LEVEL');
  assert.equal(config.shutdownGraceMs, 200);
  assert.equal(config.reconcileIntervalMs, 7);
  assert.equal(config.origins.reconcile_interval_ms, `${DEFAULT_FILE}:4:reconcile_interval_ms`);
});

void test('supervisor_heartbeat_ms and sandbox_log_buffer_lines come from file, env or flag', () => {
  const config = load({
    files: { [DEFAULT_FILE]: 'sandbox_log_buffer_lines = 50\n' },
    argv: ['--supervisor-heartbeat-ms', '200'],
  });
  assert.equal(config.supervisorHeartbeatMs, 200);
  assert.equal(config.sandboxLogBufferLines, 50);
  assert.equal(load({ env: { SHELLGATE_SANDBOX_LOG_BUFFER_LINES: '7' } }).sandboxLogBufferLines, 7);
  assert.match(configError(() => load({ argv: ['--sandbox-log-buffer-lines', '0'] })).origin, /--sandbox-log-buffer-lines/);
});

void test('OPENSHELL_LOG_LEVEL is read, SHELLGATE_LOG_LEVEL wins over it, --log-level over both', () => {
  assert.equal(load({ env: { OPENSHELL_LOG_LEVEL: 'warn' } }).logLevel, 'warn');
  assert.equal(load({ env: { OPENSHELL_LOG_LEVEL: 'warn', SHELLGATE_LOG_LEVEL: 'error' } }).logLevel, 'error');
  assert.equal(load({ env: { OPENSHELL_LOG_LEVEL: 'warn' }, argv: ['--log-level=debug'] }).logLevel, 'debug');
});

void test('--config and SHELLGATE_CONFIG pick the file; an explicit missing file is an error, a missing default is not', () => {
  const fileSet = { '/etc/a.toml': 'listen = "127.0.0.1:1"\n', '/etc/b.toml': 'listen = "127.0.0.1:2"\n' };
  assert.equal(load({ files: fileSet, env: { SHELLGATE_CONFIG: '/etc/a.toml' } }).listen, '127.0.0.1:1');
  assert.equal(load({ files: fileSet, env: { SHELLGATE_CONFIG: '/etc/a.toml' }, argv: ['--config', '/etc/b.toml'] }).listen, '127.0.0.1:2');
  assert.equal(load({ files: { '/x/shellgate/gateway.toml': 'listen = "127.0.0.1:9"' }, xdgConfigHome: '/x' }).listen, '127.0.0.1:9');
  assert.equal(load({ files: { '/y/shellgate/gateway.toml': 'listen = "127.0.0.1:8"' }, env: { XDG_CONFIG_HOME: '/y' } }).listen, '127.0.0.1:8');
  const missing = configError(() => load({ argv: ['--config', 'nope.toml'] }));
  assert.match(missing.message, /^flag --config: config file \/work\/nope\.toml does not exist/);
  const missingEnv = configError(() => load({ env: { SHELLGATE_CONFIG: '/none.toml' } }));
  assert.match(missingEnv.message, /^env SHELLGATE_CONFIG: /);
});

void test('an unknown key names file, line and key, and suggests the closest known key', () => {
  const toml = '# comment\nlisten = "127.0.0.1:1"\n\nlistne = "x"\n';
  const error = configError(() => load({ files: { [DEFAULT_FILE]: toml } }));
  assert.match(error.message, new RegExp(`^${DEFAULT_FILE}:4:listne: unknown key "listne"`));
  assert.match(error.hint, /did you mean "listen"\?/);
  const table = configError(() => load({ files: { [DEFAULT_FILE]: '[gateway]\nlisten = "127.0.0.1:1"\n' } }));
  assert.match(table.message, new RegExp(`^${DEFAULT_FILE}:1:gateway: unknown key`));
  assert.match(table.hint, /top-level keys/);
});

void test('TOML syntax errors name file, line and column', () => {
  const error = configError(() => load({ files: { [DEFAULT_FILE]: 'listen = "127.0.0.1:1"\nlog_level = \n' } }));
  assert.match(error.message, new RegExp(`^${DEFAULT_FILE}:2:\\d+: invalid TOML`));
  assert.match(error.hint, /fix the TOML syntax at that position/);
});

void test('bad values name their origin and the fix', () => {
  const cases: Array<[Partial<LoadGatewayConfigOptions> & { files?: Record<string, string> }, RegExp, RegExp]> = [
    [{ files: { [DEFAULT_FILE]: 'shutdown_grace_ms = -1' } }, /gateway\.toml:1:shutdown_grace_ms: must be at least 1; got -1/, /--help/],
    [{ files: { [DEFAULT_FILE]: 'listen = 17670' } }, /gateway\.toml:1:listen: expected HOST:PORT, got 17670/, /127\.0\.0\.1:17670 or \[::1\]:17670/],
    [{ env: { SHELLGATE_DRIVER_READY_TIMEOUT_MS: 'soon' } }, /^env SHELLGATE_DRIVER_READY_TIMEOUT_MS: expected an integer, got "soon"/, /--help/],
    [{ env: { OPENSHELL_LOG_LEVEL: 'loud' } }, /^env OPENSHELL_LOG_LEVEL: expected one of error, warn, info, debug; got "loud"/, /--help/],
    [{ argv: ['--listen', 'localhost'] }, /^flag --listen: expected HOST:PORT, got "localhost"/, /e\.g\. 127\.0\.0\.1:17670/],
    [{ argv: ['--allow-unauthenticated', '--bogus'] }, /^flag --bogus: unknown flag/, /--help/],
    [{ argv: ['--lsten', 'x'] }, /^flag --lsten: unknown flag/, /did you mean --listen\?/],
    [{ argv: ['--tls-key-file', '/k.pem'] }, /^flag --tls-key-file: tls_key_file is set without its partner/, /set both tls_cert_file and tls_key_file/],
    [{ argv: ['--default-driver', 'Bad Name'] }, /^flag --default-driver: invalid driver name "Bad Name"/, /--help/],
    [{ argv: ['--log-format', 'pretty'] }, /^flag --log-format: must be one of auto, json, text; got "pretty"/, /--help/],
  ];
  for (const [options, message, hint] of cases) {
    const error = configError(() => load(options));
    assert.match(error.message, message);
    assert.match(error.hint, hint, error.message);
  }
});

void test('log_format is auto unless the file, SHELLGATE_LOG_FORMAT or --log-format says json or text', () => {
  assert.equal(load().logFormat, 'auto');
  assert.equal(load({ files: { [DEFAULT_FILE]: 'log_format = "json"\n' } }).logFormat, 'json');
  const fromEnv = load({ files: { [DEFAULT_FILE]: 'log_format = "json"\n' }, env: { SHELLGATE_LOG_FORMAT: 'text' } });
  assert.equal(fromEnv.logFormat, 'text');
  assert.equal(fromEnv.origins.log_format, 'env SHELLGATE_LOG_FORMAT');
  const fromFlag = load({ env: { SHELLGATE_LOG_FORMAT: 'text' }, argv: ['--log-format=json'] });
  assert.equal(fromFlag.logFormat, 'json');
  assert.equal(fromFlag.origins.log_format, 'flag --log-format');
});

void test('paths from the file resolve against its directory; from flags against the cwd; database against state_dir', () => {
  const config = load({
    files: { '/etc/sg/gateway.toml': 'auth_token_file = "token"\ndatabase = "db/g.sqlite"\nstate_dir = "/srv/sg"\n' },
    argv: ['--config', '/etc/sg/gateway.toml', '--tls-cert-file', 'c.pem', '--tls-key-file', 'k.pem', '--allow-unauthenticated'],
  });
  assert.equal(config.authTokenFile, '/etc/sg/token');
  assert.equal(config.tlsCertFile, '/work/c.pem');
  assert.deepEqual(config.database, { kind: 'sqlite', path: '/srv/sg/db/g.sqlite' });
  assert.equal(config.allowUnauthenticated, true);
  assert.equal(load({ env: { SHELLGATE_ALLOW_UNAUTHENTICATED: 'yes' } }).allowUnauthenticated, true);
});

void test('postgres URLs carry their TLS, password and pool settings; the password never comes from a flag', () => {
  const config = load({
    env: { SHELLGATE_DATABASE: 'postgres://u@db/shellgate', SHELLGATE_DATABASE_PASSWORD: 'pw-from-env', SHELLGATE_DATABASE_POOL_SIZE: '4' },
    argv: ['--database-ssl-mode', 'verify-ca', '--database-ssl-ca-file', 'ca.pem', '--database-password-file', 'pw'],
  });
  assert.deepEqual(config.database, {
    kind: 'postgres',
    url: 'postgres://u@db/shellgate',
    passwordFile: '/work/pw',
    password: 'pw-from-env',
    sslMode: 'verify-ca',
    sslCaFile: '/work/ca.pem',
    sslCertFile: undefined,
    sslKeyFile: undefined,
    poolSize: 4,
    connectTimeoutMs: 5000,
    synchronousCommit: undefined,
  });
  assert.equal(config.origins.database, 'env SHELLGATE_DATABASE');
  assert.match(configError(() => load({ argv: ['--database-password', 'x'] })).message, /--database-password/);
  assert.match(configError(() => load({ argv: ['--database', 'postgres://u@db/x', '--database-ssl-mode', 'prefer'] })).message, /prefer/);
});

void test('Postgres settings with a SQLite database, or a client certificate without its key, are errors naming their origin', () => {
  const sqlite = configError(() => load({ argv: ['--database-ssl-mode', 'require'] }));
  assert.match(sqlite.message, /database_ssl_mode is set, but database is a SQLite file/);
  assert.equal(sqlite.origin, 'flag --database-ssl-mode');
  const half = configError(() => load({ env: { SHELLGATE_DATABASE: 'postgres://u@db/x', SHELLGATE_DATABASE_SSL_CERT_FILE: '/c.pem' } }));
  assert.match(half.message, /database_ssl_cert_file is set without its partner/);
  assert.deepEqual(load({ env: { SHELLGATE_DATABASE: 'sqlite://g.db' }, argv: ['--state-dir', '/srv'] }).database, { kind: 'sqlite', path: '/srv/g.db' });
});

void test('driver tables: built-in, command and socket, with every other key passed through untouched', () => {
  const toml = [
    '[drivers.docker]',
    'network = "bridge"',
    'limits = { cpu = "2" }',
    '[drivers.mine]',
    'command = ["/opt/mine/driver", "--fast"]',
    'zone = 3',
    '[drivers.lxd]',
    'socket = "lxd.sock"',
  ].join('\n');
  const config = load({ files: { '/etc/g.toml': toml }, argv: ['--config', '/etc/g.toml'] });
  assert.deepEqual(
    config.drivers.map(({ name, command, socket, settings }) => ({ name, command, socket, settings })),
    [
      { name: 'docker', command: undefined, socket: undefined, settings: { network: 'bridge', limits: { cpu: '2' } } },
      { name: 'mine', command: ['/opt/mine/driver', '--fast'], socket: undefined, settings: { zone: 3 } },
      { name: 'lxd', command: undefined, socket: '/etc/lxd.sock', settings: {} },
    ],
  );
  assert.equal(config.drivers[1]?.origin, '/etc/g.toml:4:drivers.mine');
  assert.ok(Object.isFrozen(config.drivers[0]?.settings.limits));
});

void test('bad driver tables name file:line:key', () => {
  const both = configError(() => load({ files: { [DEFAULT_FILE]: '[drivers.x]\ncommand = ["/a"]\nsocket = "/b"\n' } }));
  assert.match(both.message, /gateway\.toml:3:drivers\.x\.socket: a driver has either command/);
  const emptyCommand = configError(() => load({ files: { [DEFAULT_FILE]: '[drivers.x]\ncommand = []\n' } }));
  assert.match(emptyCommand.message, /gateway\.toml:2:drivers\.x\.command: must be a non-empty array/);
  const badName = configError(() => load({ files: { [DEFAULT_FILE]: '[drivers.Bad]\n' } }));
  assert.match(badName.message, /gateway\.toml:1:drivers\.Bad: invalid driver name/);
  const notTable = configError(() => load({ files: { [DEFAULT_FILE]: 'drivers = 3\n' } }));
  assert.match(notTable.message, /gateway\.toml:1:drivers: expected a table, got 3/);
});

void test('--compute-driver-socket [NAME=]PATH is repeatable; env gives one; flags replace same-named entries', () => {
  const config = load({
    files: { [DEFAULT_FILE]: '[drivers.lxd]\nsocket = "/old.sock"\n' },
    env: { OPENSHELL_COMPUTE_DRIVER_SOCKET: '/run/env.sock' },
    argv: ['--compute-driver-socket', 'lxd=/run/lxd.sock', '--compute-driver-socket', '/run/x/ext.sock'],
  });
  assert.deepEqual(
    config.drivers.map(({ name, socket, origin }) => ({ name, socket, origin })),
    [
      { name: 'lxd', socket: '/run/lxd.sock', origin: 'flag --compute-driver-socket lxd=/run/lxd.sock' },
      { name: 'external', socket: '/run/x/ext.sock', origin: 'flag --compute-driver-socket /run/x/ext.sock' },
    ],
  );
  const fromEnv = load({ env: { OPENSHELL_COMPUTE_DRIVER_SOCKET: '/run/env.sock' } });
  assert.deepEqual(fromEnv.drivers.map(({ name, socket }) => [name, socket]), [['external', '/run/env.sock']]);
  const twice = configError(() => load({ argv: ['--compute-driver-socket', '/a.sock', '--compute-driver-socket', '/b.sock'] }));
  assert.match(twice.message, /driver name "external" is given twice/);
});

void test('--help documents every key, its flag and env vars, and every other flag and env var', () => {
  const help = gatewayHelpText();
  const keys: ConfigKeySpecs = gatewayConfigSchema.keys;
  for (const [key, spec] of Object.entries(keys)) {
    assert.ok(help.includes(`  ${key}  `), `help documents key ${key}`);
    if (spec.flag !== undefined) assert.ok(help.includes(spec.flag), `help documents flag ${spec.flag}`);
    for (const name of envNamesOf(spec)) assert.ok(help.includes(name), `help documents env ${name}`);
  }
  for (const word of ['--config', 'SHELLGATE_CONFIG', '--compute-driver-socket', 'OPENSHELL_COMPUTE_DRIVER_SOCKET', '[drivers.NAME]', 'command = ', 'socket = ', '--help']) {
    assert.ok(help.includes(word), `help mentions ${word}`);
  }
  assert.ok(isHelpRequested(['--listen', 'x', '--help']));
  assert.ok(isHelpRequested(['-h']));
  assert.ok(!isHelpRequested(['--listen', 'x']));
});
