import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig } from '../config/define-config.js';
import { parseDriverArgs } from './driver-args.js';
import { ConfigError } from '../config/errors.js';

const schema = defineConfig({
  keys: {
    docker_host: { type: 'string', flag: '--docker-host', description: 'endpoint' },
    privileged: { type: 'boolean', default: false, flag: '--privileged', description: 'privileged' },
    networks: { type: 'string-array', flag: '--network', description: 'networks' },
  },
});

function usageError(argv: string[], env: Record<string, string> = {}): string {
  return usageErrorWithHint(argv, env).message;
}

function usageErrorWithHint(argv: string[], env: Record<string, string> = {}): { message: string; hint: string | undefined } {
  try {
    parseDriverArgs(argv, env, schema);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    return { message: error.message, hint: error.hint };
  }
  assert.fail(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseDriverArgs', () => {
  it('reads the common flags in both spellings, defaulting the log level to info', () => {
    assert.deepEqual(parseDriverArgs(['--bind-socket', '/run/d.sock', '--config=/etc/d.toml'], {}, schema), {
      action: 'serve',
      socketPath: '/run/d.sock',
      configFile: '/etc/d.toml',
      logLevel: 'info',
      configFlags: [],
    });
  });

  it('falls back to OPENSHELL_COMPUTE_DRIVER_SOCKET and OPENSHELL_LOG_LEVEL; flags win over env', () => {
    const env = { OPENSHELL_COMPUTE_DRIVER_SOCKET: '/run/env.sock', OPENSHELL_LOG_LEVEL: 'DEBUG' };
    const fromEnv = parseDriverArgs([], env, schema);
    assert.equal(fromEnv.action === 'serve' && fromEnv.socketPath, '/run/env.sock');
    assert.equal(fromEnv.action === 'serve' && fromEnv.logLevel, 'debug');
    const fromFlags = parseDriverArgs(['--bind-socket', '/run/flag.sock', '--log-level', 'warn'], env, schema);
    assert.equal(fromFlags.action === 'serve' && fromFlags.socketPath, '/run/flag.sock');
    assert.equal(fromFlags.action === 'serve' && fromFlags.logLevel, 'warn');
    const none = parseDriverArgs([], { OPENSHELL_COMPUTE_DRIVER_SOCKET: '' }, schema);
    assert.equal(none.action === 'serve' && none.socketPath, undefined);
  });

  it('collects config-key flags as text: valued, bare boolean, boolean=value, repeated', () => {
    const args = parseDriverArgs(
      ['--docker-host', 'unix:///d.sock', '--privileged', '--network=a', '--network', 'b'],
      {},
      schema,
    );
    assert.ok(args.action === 'serve');
    assert.deepEqual(args.configFlags, [
      { key: 'docker_host', flag: '--docker-host', value: 'unix:///d.sock' },
      { key: 'privileged', flag: '--privileged', value: 'true' },
      { key: 'networks', flag: '--network', value: 'a' },
      { key: 'networks', flag: '--network', value: 'b' },
    ]);
    const off = parseDriverArgs(['--privileged=false'], {}, schema);
    assert.deepEqual(off.action === 'serve' && off.configFlags, [{ key: 'privileged', flag: '--privileged', value: 'false' }]);
  });

  it('answers help and version before anything else', () => {
    assert.deepEqual(parseDriverArgs(['--bogus', '--help'], {}, schema), { action: 'help' });
    assert.deepEqual(parseDriverArgs(['-h'], {}, schema), { action: 'help' });
    assert.deepEqual(parseDriverArgs(['--version'], {}, schema), { action: 'version' });
  });

  it('rejects bad input, naming the flag, env var or argument', () => {
    assert.equal(usageError(['--bogus']), 'flag --bogus: unknown flag');
    assert.equal(usageError(['--bind-socket']), 'flag --bind-socket: needs a value');
    assert.equal(usageError(['--bind-socket', '--config', 'x']), 'flag --bind-socket: needs a value');
    assert.equal(usageError(['--bind-socket=']), 'flag --bind-socket: needs a value');
    assert.equal(usageError(['--config', 'a', '--config', 'b']), 'flag --config: given more than once');
    assert.equal(usageError(['serve']), 'argument "serve": unexpected argument; settings are given as --flag VALUE');
    assert.equal(usageError(['--docker-host']), 'flag --docker-host: needs a value');
    assert.equal(usageError(['--log-level', 'loud']), 'flag --log-level: expected one of error, warn, info, debug; got "loud"');
    assert.equal(
      usageError([], { OPENSHELL_LOG_LEVEL: 'trace' }),
      'env OPENSHELL_LOG_LEVEL: expected one of error, warn, info, debug; got "trace"',
    );
  });

  it('suggests the closest known flag for a misspelt one', () => {
    assert.deepEqual(usageErrorWithHint(['--docker_host', 'x']), { message: 'flag --docker_host: unknown flag', hint: 'did you mean --docker-host?' });
    assert.match(usageErrorWithHint(['--zzzzzzzz']).hint ?? '', /--help/);
  });
});
