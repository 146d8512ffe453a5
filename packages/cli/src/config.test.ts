import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from './args/parse-command-line.js';
import { COMMAND_TREE } from './commands/command-tree.js';
import type { CommandTreeNode } from './commands/command.js';
import type { CliEnv } from './config.js';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_WAIT_TIMEOUT_MS, resolveCliConfig } from './config.js';
import { parseGatewayAddress } from './connection/gateway-address.js';
import { isCliError } from './errors.js';

const resolve = (argv: string[], env: CliEnv = {}) =>
  resolveCliConfig(parseCommandLine<CommandTreeNode>(['sandbox', 'list', ...argv], COMMAND_TREE).flags, env);

describe('resolveCliConfig', () => {
  it('uses the defaults with nothing set', () => {
    const config = resolve([]);
    assert.equal(config.gateway.target, '127.0.0.1:17670');
    assert.equal(config.workspace, 'default');
    assert.equal(config.output, 'table');
    assert.equal(config.tokenFile, undefined);
    assert.equal(config.isTls, false);
    assert.equal(config.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS);
    assert.equal(config.waitTimeoutMs, DEFAULT_WAIT_TIMEOUT_MS);
    assert.equal(config.explicitTimeoutMs, undefined);
  });

  it('prefers flags over env over defaults', () => {
    const env = { SHELLGATE_GATEWAY: 'envhost:1', SHELLGATE_WORKSPACE: 'envws', SHELLGATE_TOKEN_FILE: '/env/token' };
    const fromEnv = resolve([], env);
    assert.equal(fromEnv.gateway.target, 'envhost:1');
    assert.equal(fromEnv.workspace, 'envws');
    assert.deepEqual(fromEnv.tokenFile, { path: '/env/token', source: '$SHELLGATE_TOKEN_FILE' });
    const fromFlags = resolve(['--gateway', 'flaghost:2', '--workspace', 'flagws', '--token-file', '/flag/token'], env);
    assert.equal(fromFlags.gateway.target, 'flaghost:2');
    assert.equal(fromFlags.workspace, 'flagws');
    assert.deepEqual(fromFlags.tokenFile, { path: '/flag/token', source: '--token-file' });
  });

  it('uses --timeout for calls and waits alike', () => {
    const config = resolve(['--timeout', '2m']);
    assert.equal(config.callTimeoutMs, 120_000);
    assert.equal(config.waitTimeoutMs, 120_000);
    assert.equal(config.explicitTimeoutMs, 120_000);
  });

  it('turns TLS on for https:// and for --tls-* flags, and refuses them with http://', () => {
    assert.equal(resolve(['--gateway', 'https://gw:443']).isTls, true);
    assert.equal(resolve(['--gateway', 'gw:1', '--tls-ca', 'ca.pem']).isTls, true);
    assert.throws(() => resolve(['--gateway', 'http://gw:1', '--tls-ca', 'ca.pem']), /plaintext/);
    assert.throws(() => resolve(['--tls-cert', 'c.pem']), /--tls-cert and --tls-key go together/);
  });

  it('names the source of a bad value', () => {
    assert.throws(() => resolve([], { SHELLGATE_GATEWAY: 'ftp://x' }), (error: unknown) => isCliError(error) && /\$SHELLGATE_GATEWAY/.test(error.message));
    assert.throws(() => resolve(['-o', 'xml']), /unknown format "xml"/);
  });
});

describe('parseGatewayAddress', () => {
  const cases: Array<[string, string, boolean]> = [
    ['127.0.0.1:17670', '127.0.0.1:17670', false],
    ['gw', 'gw:17670', false],
    ['gw:80', 'gw:80', false],
    ['http://gw:9000', 'gw:9000', false],
    ['http://gw', 'gw:80', false],
    ['https://gw', 'gw:443', true],
    ['https://gw:8443/', 'gw:8443', true],
    ['[::1]:17670', '[::1]:17670', false],
  ];
  for (const [input, target, isTls] of cases) {
    it(`reads ${input}`, () => {
      const address = parseGatewayAddress(input, '--gateway');
      assert.equal(address.target, target);
      assert.equal(address.isTls, isTls);
    });
  }

  it('refuses other schemes and paths', () => {
    assert.throws(() => parseGatewayAddress('grpc://gw:1', '--gateway'), /unsupported scheme/);
    assert.throws(() => parseGatewayAddress('http://gw:1/api', '--gateway'), /only a host and a port/);
  });
});
