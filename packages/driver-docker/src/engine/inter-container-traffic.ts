import { FailedPreconditionError, quoteValue } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';

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

/**
 * The managed network's isolation check (`CallbackNetwork`'s `checkNetwork`): sandboxes
 * are isolated from each other unless `allowSandboxToSandbox`, so an existing network with
 * inter-container traffic on is refused rather than silently left open.
 * @throws FailedPreconditionError naming the fixes, for an open network sandboxes may not share.
 */
export function checkInterContainerTraffic(network: NetworkInfo, options: { readonly networkName: string; readonly allowSandboxToSandbox: boolean; readonly logger: Logger }): void {
  const { networkName, allowSandboxToSandbox, logger } = options;
  const isOpen = isInterContainerTrafficEnabled(network);
  if (isOpen && !allowSandboxToSandbox) {
    throw new FailedPreconditionError(
      `network ${quoteValue(networkName)} lets sandboxes reach each other: inter-container traffic is on (${ENABLE_ICC_OPTION} is not "false"; an older driver or someone else created it)`,
      {
        hint: `remove it once no container uses it (docker network rm ${networkName}) and the driver creates it isolated, or set network_name to a new name; allow_sandbox_to_sandbox = true accepts it`,
      },
    );
  }
  if (!isOpen && allowSandboxToSandbox) {
    logger.warn('allow_sandbox_to_sandbox is set but the existing network has inter-container traffic off; sandboxes cannot reach each other', {
      network: networkName,
    });
  }
}
