import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig } from './define-config.js';
import { ConfigError } from './errors.js';
import { parseConfigArgs } from './parse-config-args.js';

const schema = defineConfig({
  reservedFlags: ['--config', '--help'],
  keys: {
    listen: { type: 'address', flag: '--listen', description: 'address' },
    log_level: { type: 'log-level', flag: '--log-level', description: 'level' },
    open: { type: 'boolean', flag: '--open', description: 'open' },
  },
});
const extra = { '--config': {}, '--socket': { isRepeatable: true } };

function failure(argv: string[]): { message: string; hint: string | undefined } {
  try {
    parseConfigArgs(argv, schema, extra);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { message: error.message, hint: error.hint };
  }
  return assert.fail(`expected a ConfigError for ${argv.join(' ')}`);
}

describe('parseConfigArgs', () => {
  it('splits key flags (as text, in order) from the extra value flags', () => {
    const args = parseConfigArgs(
      ['--listen', '127.0.0.1:1', '--open', '--config=/etc/g.toml', '--socket', 'a=/a', '--socket=/b', '--log-level=debug', '--open=false'],
      schema,
      extra,
    );
    assert.deepEqual(args.flags, [
      { key: 'listen', flag: '--listen', value: '127.0.0.1:1' },
      { key: 'open', flag: '--open', value: 'true' },
      { key: 'log_level', flag: '--log-level', value: 'debug' },
      { key: 'open', flag: '--open', value: 'false' },
    ]);
    assert.deepEqual([...args.values], [
      ['--config', ['/etc/g.toml']],
      ['--socket', ['a=/a', '/b']],
    ]);
  });

  it('names the flag at fault, and the closest known flag', () => {
    assert.deepEqual(failure(['--lsten', 'x']), { message: 'flag --lsten: unknown flag', hint: 'did you mean --listen?' });
    assert.equal(failure(['--listen']).message, 'flag --listen: needs a value');
    assert.equal(failure(['--listen', '--open']).message, 'flag --listen: needs a value');
    assert.equal(failure(['--config', 'a', '--config', 'b']).message, 'flag --config: given more than once');
    assert.equal(failure(['--config=']).message, 'flag --config: needs a value');
    assert.equal(failure(['serve']).message, 'argument "serve": unexpected argument; settings are given as --flag VALUE');
  });
});
