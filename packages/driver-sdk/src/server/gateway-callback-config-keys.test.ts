import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig } from '../config/define-config.js';
import { formatConfigHelp } from '../config/format-config-help.js';
import { resolveConfig } from '../config/resolve-config.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_GATEWAY_PORT, GATEWAY_CALLBACK_CONFIG_KEYS } from './gateway-callback-config-keys.js';

const schema = defineConfig({ keys: { ...GATEWAY_CALLBACK_CONFIG_KEYS } });

describe('GATEWAY_CALLBACK_CONFIG_KEYS', () => {
  it('defaults to the gateway API port over http', () => {
    assert.deepEqual(resolveConfig(schema, {}), { gateway_port: DEFAULT_GATEWAY_PORT, gateway_scheme: 'http' });
    assert.equal(DEFAULT_GATEWAY_PORT, 17670);
  });

  it('reads what a gateway sets on the drivers it spawns, and flags over that', () => {
    const env = { SHELLGATE_GATEWAY_PORT: '18000', SHELLGATE_GATEWAY_SCHEME: 'https' };
    assert.deepEqual(resolveConfig(schema, { env }), { gateway_port: 18000, gateway_scheme: 'https' });
    assert.deepEqual(resolveConfig(schema, { env, flags: [{ key: 'gateway_port', flag: '--gateway-port', value: '18001' }] }).gateway_port, 18001);
  });

  it('refuses a port out of range and a scheme other than http or https', () => {
    assert.throws(() => resolveConfig(schema, { env: { SHELLGATE_GATEWAY_PORT: '0' } }), ConfigError);
    assert.throws(() => resolveConfig(schema, { env: { SHELLGATE_GATEWAY_SCHEME: 'ftp' } }), ConfigError);
  });

  it('documents both keys with their env var and flag in --help', () => {
    const help = formatConfigHelp(schema);
    for (const text of ['gateway_port', '--gateway-port', 'SHELLGATE_GATEWAY_PORT', 'gateway_scheme', '--gateway-scheme', 'SHELLGATE_GATEWAY_SCHEME']) assert.ok(help.includes(text), text);
  });
});
