import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defineConfig, resolveConfig } from '@shellgate/driver-sdk';

import { OWNING_GATEWAY_CONFIG_KEYS } from './owning-gateway-config-keys.js';

const schema = defineConfig({ keys: { ...OWNING_GATEWAY_CONFIG_KEYS } });

describe('OWNING_GATEWAY_CONFIG_KEYS', () => {
  it('runs standalone with no gateway state dir by default', () => {
    assert.deepEqual(resolveConfig(schema, {}), { gateway_id: 'standalone', gateway_state_dir: undefined });
  });

  it('reads what a gateway sets on the drivers it spawns, and flags over that', () => {
    const env = { SHELLGATE_GATEWAY_ID: 'gw-7', SHELLGATE_GATEWAY_STATE_DIR: '/var/lib/shellgate/gateway' };
    assert.deepEqual(resolveConfig(schema, { env }), { gateway_id: 'gw-7', gateway_state_dir: '/var/lib/shellgate/gateway' });
    assert.equal(resolveConfig(schema, { env, flags: [{ key: 'gateway_id', flag: '--gateway-id', value: 'gw-8' }] }).gateway_id, 'gw-8');
  });
});
