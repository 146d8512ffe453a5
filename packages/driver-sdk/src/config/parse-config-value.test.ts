import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig } from './define-config.js';
import { checkConfigValue, parseConfigText } from './parse-config-value.js';

const { keys } = defineConfig({
  keys: {
    socket: { type: 'path', description: 'a path' },
    listen: { type: 'address', description: 'an address' },
    level: { type: 'log-level', description: 'a level' },
    name: {
      type: 'string',
      description: 'a name',
      check: (value) => (/^[a-z]+$/.test(value) ? undefined : `expected lowercase letters, got ${JSON.stringify(value)}`),
    },
  },
});

describe('config value kinds', () => {
  it('resolves a relative path against the base dir, keeps an absolute one, and keeps it as written without a base', () => {
    assert.deepEqual(checkConfigValue(keys.socket, 'run/d.sock', '/etc/sg'), { value: '/etc/sg/run/d.sock' });
    assert.deepEqual(parseConfigText(keys.socket, '/abs.sock', '/work'), { value: '/abs.sock' });
    assert.deepEqual(checkConfigValue(keys.socket, 'rel.sock'), { value: 'rel.sock' });
    assert.deepEqual(checkConfigValue(keys.socket, 3, '/x'), { problem: 'expected a path string, got 3' });
    assert.equal('problem' in checkConfigValue(keys.socket, ' ', '/x'), true);
  });

  it('accepts HOST:PORT with an IPv6 literal in brackets, and says how to write one', () => {
    for (const good of ['127.0.0.1:17670', '[::1]:0', 'gateway.local:65535']) assert.deepEqual(parseConfigText(keys.listen, good), { value: good });
    for (const bad of ['localhost', '::1:80', '1.2.3.4:65536', '']) {
      const checked = parseConfigText(keys.listen, bad);
      assert.ok('problem' in checked, bad);
      assert.equal(checked.problem, `expected HOST:PORT, got ${JSON.stringify(bad)}`);
      assert.match(checked.hint ?? '', /127\.0\.0\.1:17670 or \[::1\]:17670/);
    }
    const typed = checkConfigValue(keys.listen, 17670);
    assert.equal('problem' in typed && typed.problem, 'expected HOST:PORT, got 17670');
  });

  it('reads a log level in any case and lists the levels when it is not one', () => {
    assert.deepEqual(parseConfigText(keys.level, 'DEBUG'), { value: 'debug' });
    assert.deepEqual(checkConfigValue(keys.level, 'loud'), { problem: 'expected one of error, warn, info, debug; got "loud"' });
  });

  it("runs the key's own check after the type check", () => {
    assert.deepEqual(parseConfigText(keys.name, 'abc'), { value: 'abc' });
    assert.deepEqual(parseConfigText(keys.name, 'A b'), { problem: 'expected lowercase letters, got "A b"' });
    assert.deepEqual(checkConfigValue(keys.name, 3), { problem: 'expected a string, got 3' });
  });
});
