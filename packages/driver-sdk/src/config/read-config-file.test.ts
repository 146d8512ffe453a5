import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeFileOrigin } from './describe-file-origin.js';
import { readConfigFile } from './read-config-file.js';

const missing = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

describe('readConfigFile', () => {
  it('reads through the injected reader; a missing optional file is undefined', () => {
    assert.deepEqual(readConfigFile('/a.toml', { readFile: () => 'a = 1' }), { path: '/a.toml', text: 'a = 1' });
    assert.equal(readConfigFile('/none.toml', { readFile: missing, isOptional: true }), undefined);
  });

  it('names where the path came from when a required file is missing or unreadable', () => {
    assert.throws(() => readConfigFile('/none.toml', { readFile: missing, origin: 'env SG_CONFIG' }), {
      name: 'ConfigError',
      message: 'env SG_CONFIG: config file /none.toml does not exist',
    });
    const denied = (): string => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    assert.throws(() => readConfigFile('/x.toml', { readFile: denied, isOptional: true }), {
      message: '/x.toml: config file /x.toml cannot be read (EACCES)',
    });
  });
});

describe('describeFileOrigin', () => {
  const file = {
    path: '/etc/g.toml',
    text: ['# comment', 'listen = "x"', '', '[drivers.mine]', 'command = ["/a"]', '"quoted" = 1', '[drivers."lxd"]', 'socket.path = "s"'].join('\n'),
  };

  it('names FILE:LINE:key for top-level keys, table headers and keys inside tables', () => {
    assert.equal(describeFileOrigin(file, ['listen']), '/etc/g.toml:2:listen');
    assert.equal(describeFileOrigin(file, ['drivers', 'mine']), '/etc/g.toml:4:drivers.mine');
    assert.equal(describeFileOrigin(file, ['drivers', 'mine', 'command']), '/etc/g.toml:5:drivers.mine.command');
    assert.equal(describeFileOrigin(file, ['drivers', 'mine', 'quoted']), '/etc/g.toml:6:drivers.mine.quoted');
    assert.equal(describeFileOrigin(file, ['drivers', 'lxd', 'socket']), '/etc/g.toml:8:drivers.lxd.socket');
  });

  it('falls back to FILE:key when the key is not found', () => {
    assert.equal(describeFileOrigin(file, ['nowhere']), '/etc/g.toml:nowhere');
  });
});
