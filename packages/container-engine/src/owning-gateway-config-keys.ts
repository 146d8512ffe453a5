import { GATEWAY_ID_ENV, GATEWAY_STATE_DIR_ENV } from '@shellgate/driver-sdk';
import type { ConfigKeySpecs } from '@shellgate/driver-sdk';

/**
 * The config keys `gateway_id` and `gateway_state_dir` of a container driver, read from the
 * env a gateway sets on drivers it spawns: the id labels every container (list and watch see
 * only that gateway's), and the state dir is refused as a bind mount source. Docker and Podman
 * spell them alike: spread them into the driver's `defineConfig` keys.
 */
export const OWNING_GATEWAY_CONFIG_KEYS = {
  gateway_id: {
    type: 'string',
    default: 'standalone',
    env: GATEWAY_ID_ENV,
    flag: '--gateway-id',
    description: 'id of the owning gateway, put on every container as a label; list and watch only see its containers',
  },
  gateway_state_dir: {
    type: 'string',
    env: GATEWAY_STATE_DIR_ENV,
    flag: '--gateway-state-dir',
    description: "the owning gateway's state directory, refused as a bind mount source like state_dir (the gateway sets the env var on drivers it spawns)",
  },
} as const satisfies ConfigKeySpecs;
