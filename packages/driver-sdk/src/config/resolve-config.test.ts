import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig } from './define-config.js';
import { ConfigError, ConfigSchemaError } from './errors.js';
import { formatConfigHelp } from './format-config-help.js';
import { loadConfig } from './load-config.js';
import { resolveConfig, resolveConfigWithOrigins } from './resolve-config.js';

const schema = defineConfig({
  keys: {
    docker_host: { type: 'string', env: 'DOCKER_HOST', flag: '--docker-host', description: 'Docker API endpoint' },
    stop_timeout_seconds: {
      type: 'integer',
      default: 10,
      min: 0,
      env: 'SG_STOP_TIMEOUT',
      flag: '--stop-timeout-seconds',
      description: 'grace before SIGKILL',
    },
    cpu_ratio: { type: 'number', default: 1.5, description: 'cpu overcommit' },
    privileged: { type: 'boolean', default: false, env: 'SG_PRIVILEGED', flag: '--privileged', description: 'run privileged' },
    networks: { type: 'string-array', default: [], env: 'SG_NETWORKS', flag: '--network', description: 'extra networks' },
    pull_policy: { type: 'string', default: 'missing', choices: ['always', 'missing', 'never'], description: 'when to pull' },
    script: { type: 'table', description: 'scripted behaviour' },
    mounts: { type: 'table-array', default: [], description: 'extra mounts' },
  },
});

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    return error;
  }
  assert.fail('expected a ConfigError');
}

function problemsOf(run: () => unknown): string[] {
  return errorOf(run).problems.map((problem) => `${problem.origin}: ${problem.message}${problem.hint === undefined ? '' : ` (${problem.hint})`}`);
}

describe('resolveConfig', () => {
  it('uses defaults when no source sets a key, and freezes the result', () => {
    const config = resolveConfig(schema, {});
    assert.equal(config.stop_timeout_seconds, 10);
    assert.equal(config.docker_host, undefined);
    assert.deepEqual(config.networks, []);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { stop_timeout_seconds: number }).stop_timeout_seconds = 1;
    }, TypeError);
  });

  it('applies defaults < file < env < flags', () => {
    const file = {
      path: '/etc/d.toml',
      text: 'docker_host = "unix:///file.sock"\nstop_timeout_seconds = 20\nprivileged = true\nnetworks = ["a"]\n',
    };
    const fromFile = resolveConfig(schema, { file });
    assert.equal(fromFile.docker_host, 'unix:///file.sock');
    assert.equal(fromFile.stop_timeout_seconds, 20);
    assert.deepEqual(fromFile.networks, ['a']);
    const env = { DOCKER_HOST: 'unix:///env.sock', SG_STOP_TIMEOUT: '30', SG_NETWORKS: 'b, c' };
    const fromEnv = resolveConfig(schema, { file, env });
    assert.equal(fromEnv.docker_host, 'unix:///env.sock');
    assert.equal(fromEnv.stop_timeout_seconds, 30);
    assert.deepEqual(fromEnv.networks, ['b', 'c']);
    const fromFlags = resolveConfig(schema, {
      file,
      env,
      flags: [
        { key: 'stop_timeout_seconds', flag: '--stop-timeout-seconds', value: '40' },
        { key: 'privileged', flag: '--privileged', value: 'false' },
        { key: 'networks', flag: '--network', value: 'd' },
        { key: 'networks', flag: '--network', value: 'e' },
      ],
    });
    assert.equal(fromFlags.docker_host, 'unix:///env.sock');
    assert.equal(fromFlags.stop_timeout_seconds, 40);
    assert.equal(fromFlags.privileged, false);
    assert.deepEqual(fromFlags.networks, ['d', 'e']);
  });

  it('passes a table through and freezes it deeply', () => {
    const config = resolveConfig(schema, {
      file: { path: 'f.toml', text: '[script]\non_create = "fail"\n[script.delays]\nstart_ms = 5\n' },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(config.script)), { on_create: 'fail', delays: { start_ms: 5 } });
    assert.ok(Object.isFrozen((config.script as { delays: object }).delays));
  });

  it('passes [[key]] entries of a table-array through as an array, frozen deeply', () => {
    const config = resolveConfig(schema, {
      file: { path: 'f.toml', text: '[[mounts]]\nsource = "/a"\n[[mounts]]\nsource = "/b"\nread_only = true\n' },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(config.mounts)), [{ source: '/a' }, { source: '/b', read_only: true }]);
    assert.ok(Array.isArray(config.mounts));
    assert.ok(Object.isFrozen((config.mounts as readonly object[])[1]));
    assert.deepEqual(resolveConfig(schema, {}).mounts, []);
  });

  it('accepts named [key.NAME] tables for a table-array, keyed by name', () => {
    const config = resolveConfig(schema, {
      file: { path: 'f.toml', text: '[mounts.data]\nsource = "/a"\n[mounts.cache]\nsource = "/b"\n' },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(config.mounts)), { data: { source: '/a' }, cache: { source: '/b' } });
  });

  it('names FILE:key when a table-array holds something other than tables', () => {
    const problemsFor = (text: string): string[] => problemsOf(() => resolveConfig(schema, { file: { path: 'f.toml', text } }));
    assert.deepEqual(problemsFor('mounts = [{ source = "/a" }, "b"]\n'), [
      'f.toml:1:mounts: expected an array of tables, but item 1 is "b"',
    ]);
    assert.deepEqual(problemsFor('[mounts]\nsource = "/a"\n'), [
      'f.toml:1:mounts: expected an array of tables or a table of named tables, but "source" is "/a"',
    ]);
    assert.deepEqual(problemsFor('mounts = 3\n'), ['f.toml:1:mounts: expected an array of tables, got 3']);
  });

  it('names FILE:LINE:key for unknown and mistyped file keys, collecting every problem', () => {
    const problems = problemsOf(() =>
      resolveConfig(schema, {
        file: { path: '/etc/d.toml', text: 'dockr_host = "x"\nstop_timeout_seconds = "ten"\npull_policy = "sometimes"\n' },
      }),
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /^\/etc\/d\.toml:1:dockr_host: unknown key "dockr_host" \(did you mean "docker_host"\? settings are the top-level keys docker_host, /);
    assert.equal(problems[1], '/etc/d.toml:2:stop_timeout_seconds: expected an integer, got "ten"');
    assert.match(problems[2]!, /^\/etc\/d\.toml:3:pull_policy: must be one of always, missing, never/);
  });

  it('gives a single problem its own hint: the closest known key and the list of keys', () => {
    const error = errorOf(() => resolveConfig(schema, { file: { path: 'd.toml', text: 'cpu_ratio = 2.0\nprivleged = true\n' } }));
    assert.equal(error.message, 'd.toml:2:privleged: unknown key "privleged"');
    assert.match(error.hint ?? '', /^did you mean "privileged"\? settings are the top-level keys docker_host, /);
  });

  it('points to --help instead of listing a long list of keys', () => {
    const keys = Object.fromEntries(Array.from({ length: 13 }, (_, index) => [`key_${index}`, { type: 'string', description: 'k' } as const]));
    const error = errorOf(() => resolveConfig(defineConfig({ keys }), { file: { path: 'd.toml', text: 'key_x = "a"\n' } }));
    assert.equal(error.hint, 'did you mean "key_0"? settings are top-level keys; run with --help to list them');
  });

  it('names FILE:LINE:COL for TOML syntax errors', () => {
    const error = errorOf(() => resolveConfig(schema, { file: { path: 'd.toml', text: 'a = 1\nb = \n' } }));
    assert.equal(error.message, 'd.toml:2:5: invalid TOML: invalid value');
    assert.match(error.hint ?? '', /fix the TOML syntax at that position/);
  });

  it('names the env var and the flag for bad text values', () => {
    const problems = problemsOf(() =>
      resolveConfig(schema, {
        env: { SG_STOP_TIMEOUT: '1.5', SG_PRIVILEGED: 'maybe' },
        flags: [{ key: 'stop_timeout_seconds', flag: '--stop-timeout-seconds', value: '-1' }],
      }),
    );
    assert.deepEqual(problems, [
      'env SG_STOP_TIMEOUT: expected an integer, got "1.5"',
      'env SG_PRIVILEGED: expected true or false, got "maybe"',
      'flag --stop-timeout-seconds: must be at least 0; got -1',
    ]);
  });

  it('reports a missing required key with the ways to set it', () => {
    const required = defineConfig({
      keys: { kubeconfig: { type: 'string', required: true, env: 'KUBECONFIG', description: 'kubeconfig path' } },
    });
    const problems = problemsOf(() => resolveConfig(required, {}));
    assert.deepEqual(problems, ['kubeconfig: is required; set kubeconfig in the --config file, or env KUBECONFIG']);
    const config = resolveConfig(required, { env: { KUBECONFIG: '/k' } });
    const path: string = config.kubeconfig;
    assert.equal(path, '/k');
  });
});

describe('defineConfig', () => {
  it('rejects malformed schemas', () => {
    assert.throws(() => defineConfig({ keys: { BadKey: { type: 'string', description: '' } } }), ConfigSchemaError);
    assert.throws(
      () => defineConfig({ keys: { a: { type: 'string', flag: '--config', description: '' } } }),
      /flag --config is already taken/,
    );
    assert.throws(
      () => defineConfig({ keys: { t: { type: 'table', env: 'T', description: '' } } }),
      /tables can only be set in the config file/,
    );
    assert.throws(
      () => defineConfig({ keys: { t: { type: 'table-array', flag: '--t', description: '' } } }),
      /key t is a table-array; tables can only be set in the config file/,
    );
    assert.throws(
      () => defineConfig({ keys: { t: { type: 'table-array', default: [{ a: 1 }, 2] as never, description: '' } } }),
      /default expected an array of tables, but item 1 is 2/,
    );
    assert.throws(
      () => defineConfig({ keys: { n: { type: 'integer', default: 1.5, description: '' } } }),
      /default expected an integer/,
    );
  });
});

describe('loadConfig', () => {
  it('reads the --config file through the injected reader, and names a missing one', async () => {
    const config = await loadConfig(schema, {
      configFile: '/c.toml',
      readFile: () => 'cpu_ratio = 2.5\n',
    });
    assert.equal(config.cpu_ratio, 2.5);
    await assert.rejects(loadConfig(schema, { configFile: '/nonexistent/driver.toml' }), {
      name: 'ConfigError',
      message: 'flag --config: config file /nonexistent/driver.toml does not exist',
    });
  });
});

describe('formatConfigHelp', () => {
  it('lists every key with its type, default, env var and flag', () => {
    const help = formatConfigHelp(schema);
    for (const key of Object.keys(schema.keys)) assert.ok(help.includes(`  ${key}  `), key);
    assert.match(help, /stop_timeout_seconds {2}\(integer, >= 0\) {2}default: 10/);
    assert.match(help, /env SG_STOP_TIMEOUT; flag --stop-timeout-seconds VALUE/);
    assert.match(help, /pull_policy {2}\(always\|missing\|never\) {2}default: "missing"/);
    assert.match(help, /env SG_NETWORKS \(comma-separated\); flag --network VALUE \(repeat for more\)/);
    assert.match(help, /mounts {2}\(table-array\) {2}default: \[\]/);
  });

  it('lists every env name in order, value placeholders, run-time defaults and a custom title', () => {
    const help = formatConfigHelp(
      defineConfig({
        keys: {
          level: { type: 'log-level', default: 'info', env: ['A_LEVEL', 'B_LEVEL'], flag: '--level', description: 'how loud' },
          dir: { type: 'path', defaultText: '~/.local/state/x', flag: '--dir', description: 'state' },
          wait_ms: { type: 'integer', default: 5, flag: '--wait-ms', valueName: 'MS', description: 'wait' },
          mode: { type: 'string', choices: ['fast', 'safe'], flag: '--mode', description: 'mode' },
        },
      }),
      'Settings of x:',
    );
    assert.match(help, /^Settings of x:\n/);
    assert.match(help, /level {2}\(error\|warn\|info\|debug\) {2}default: "info"\n.*\n {6}env A_LEVEL, then B_LEVEL; flag --level LEVEL\n/);
    assert.match(help, /dir {2}\(path\) {2}default: ~\/\.local\/state\/x\n.*\n {6}flag --dir PATH\n/);
    assert.match(help, /flag --wait-ms MS\n/);
    assert.match(help, /flag --mode fast\|safe\n/);
  });
});

describe('resolveConfigWithOrigins', () => {
  const gateway = defineConfig({
    reservedFlags: ['--config'],
    keys: {
      level: { type: 'log-level', default: 'info', env: ['SG_LEVEL', 'OLD_LEVEL'], flag: '--level', description: 'level' },
      token_file: { type: 'path', env: 'SG_TOKEN_FILE', flag: '--token-file', description: 'token' },
      drivers: { type: 'table', description: 'claimed: parsed by the caller' },
    },
  });

  it('reads several env names, the first set one winning, and says where each value came from', () => {
    const file = { path: '/etc/sg/g.toml', text: 'level = "warn"\n\n[drivers.x]\nzone = 1\n' };
    const fromFile = resolveConfigWithOrigins(gateway, { file, env: {} });
    assert.deepEqual(fromFile.origins, { level: '/etc/sg/g.toml:1:level', token_file: 'default', drivers: '/etc/sg/g.toml:3:drivers' });
    const older = resolveConfigWithOrigins(gateway, { file, env: { OLD_LEVEL: 'error', SG_LEVEL: '' } });
    assert.equal(older.values.level, 'error');
    assert.equal(older.origins.level, 'env OLD_LEVEL');
    const newer = resolveConfigWithOrigins(gateway, { env: { OLD_LEVEL: 'error', SG_LEVEL: 'Debug' } });
    assert.equal(newer.values.level, 'debug');
    assert.equal(newer.origins.level, 'env SG_LEVEL');
    assert.ok(Object.isFrozen(newer.origins));
  });

  it("resolves relative paths against the file's directory, or the cwd for env and flags", () => {
    const file = { path: 'conf/g.toml', text: 'token_file = "token"\n' };
    assert.equal(resolveConfig(gateway, { file, cwd: '/work' }).token_file, '/work/conf/token');
    assert.equal(resolveConfig(gateway, { file, cwd: '/work', env: { SG_TOKEN_FILE: 't2' } }).token_file, '/work/t2');
    const flags = [{ key: 'token_file', flag: '--token-file', value: '/abs' }];
    assert.equal(resolveConfig(gateway, { file, cwd: '/work', flags }).token_file, '/abs');
  });

  it('hands a claimed table over as written, and still refuses keys beside it', () => {
    const file = { path: 'g.toml', text: 'drivers = { x = { zone = 1 } }\n' };
    assert.deepEqual(JSON.parse(JSON.stringify(resolveConfig(gateway, { file }).drivers)), { x: { zone: 1 } });
    assert.deepEqual(problemsOf(() => resolveConfig(gateway, { file: { path: 'g.toml', text: 'drivers = 3\n' } })), ['g.toml:1:drivers: expected a table, got 3']);
    const unknown = errorOf(() => resolveConfig(gateway, { file: { path: 'g.toml', text: '[driver.x]\n' } }));
    assert.equal(unknown.message, 'g.toml:1:driver: unknown key "driver"');
    assert.match(unknown.hint ?? '', /^did you mean "drivers"\?/);
  });
});
