import type { ConfigKeySpecs } from '../config/define-config.js';
import { GATEWAY_PORT_ENV, GATEWAY_SCHEME_ENV } from './gateway-env.js';

/** The gateway's primary API port, which sandboxes call back on by default. */
export const DEFAULT_GATEWAY_PORT = 17670;

/**
 * The config keys `gateway_port` and `gateway_scheme` of a driver whose sandboxes call the
 * gateway back (OPENSHELL_ENDPOINT), read from the env a gateway sets on drivers it spawns.
 * Every such driver spells them alike: spread them into its `defineConfig` keys.
 */
export const GATEWAY_CALLBACK_CONFIG_KEYS = {
  gateway_port: {
    type: 'integer',
    default: DEFAULT_GATEWAY_PORT,
    min: 1,
    max: 65535,
    env: GATEWAY_PORT_ENV,
    flag: '--gateway-port',
    description: 'gateway port sandboxes call back on (the gateway sets the env var on drivers it spawns)',
  },
  gateway_scheme: {
    type: 'string',
    default: 'http',
    choices: ['http', 'https'],
    env: GATEWAY_SCHEME_ENV,
    flag: '--gateway-scheme',
    description: 'scheme of the callback URL OPENSHELL_ENDPOINT',
  },
} as const satisfies ConfigKeySpecs;
