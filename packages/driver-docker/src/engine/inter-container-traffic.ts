import type { NetworkInfo } from './docker-engine.js';

/** The bridge driver option that lets containers of one network reach each other; Docker's default is on. */
export const ENABLE_ICC_OPTION = 'com.docker.network.bridge.enable_icc';

/** What Go's strconv.ParseBool, which dockerd reads the option with, takes for false. */
const GO_FALSE_VALUES: ReadonlySet<string> = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * Whether containers on the network can reach each other. Only an explicit false turns it
 * off: an absent option (Docker's default, an older driver's network) or a non-bridge
 * network counts as on.
 */
export function isInterContainerTrafficEnabled(network: NetworkInfo): boolean {
  const value = network.options[ENABLE_ICC_OPTION];
  return value === undefined || !GO_FALSE_VALUES.has(value);
}
