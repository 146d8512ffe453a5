import { FailedPreconditionError, quoteValue, toGatewayOwnedLabels } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';

import type { DockerEngine, NetworkInfo } from '../engine/docker-engine.js';
import { ENABLE_ICC_OPTION, isInterContainerTrafficEnabled } from '../engine/inter-container-traffic.js';
import { toDriverError } from '../errors.js';

/** The bridge sandboxes join and the address they reach the gateway on. */
export interface ResolvedNetwork {
  readonly name: string;
  /** The bridge gateway IP, or `host_gateway_ip` when configured. */
  readonly gatewayIp: string;
}

export interface CallbackNetworkOptions {
  readonly engine: DockerEngine;
  readonly networkName: string;
  /** `allow_sandbox_to_sandbox`: create the network with inter-container traffic on, and accept one that has it. */
  readonly allowSandboxToSandbox: boolean;
  readonly gatewayId: string;
  /** `host_gateway_ip`: overrides the bridge gateway IP. */
  readonly hostGatewayIp: string | undefined;
  readonly logger: Logger;
}

/**
 * Ensures the managed bridge network exists (created with our labels if missing, reused if
 * present) and resolves its gateway IP: the address the gateway binds for sandbox callbacks.
 * Sandboxes are isolated from each other unless `allowSandboxToSandbox`: the network is
 * created with inter-container traffic off, and an existing one with it on is refused rather
 * than silently left open (the gateway IP is the host, not a container, so callbacks still
 * pass). The answer is cached; a failed attempt is retried on the next call.
 */
export class CallbackNetwork {
  readonly #options: CallbackNetworkOptions;
  #resolved: Promise<ResolvedNetwork> | undefined;

  constructor(options: CallbackNetworkOptions) {
    this.#options = options;
  }

  ensure(signal: AbortSignal): Promise<ResolvedNetwork> {
    if (this.#resolved === undefined) {
      const attempt = this.#resolve(signal);
      this.#resolved = attempt;
      attempt.catch(() => {
        if (this.#resolved === attempt) this.#resolved = undefined;
      });
    }
    return this.#resolved;
  }

  async #resolve(signal: AbortSignal): Promise<ResolvedNetwork> {
    const { engine, networkName } = this.#options;
    const context = { operation: `ensure network ${networkName}`, endpoint: engine.endpoint };
    let network: NetworkInfo | undefined;
    try {
      network = await engine.inspectNetwork(networkName, signal);
      if (network === undefined) network = await this.#create(signal);
    } catch (error) {
      throw toDriverError(error, context);
    }
    this.#checkIsolation(network);
    const gatewayIp = this.#options.hostGatewayIp || network.gatewayIp;
    if (gatewayIp === undefined || gatewayIp === '') {
      throw new FailedPreconditionError(`network ${networkName} has no IPAM gateway address`, {
        hint: 'set host_gateway_ip to the address sandboxes should reach the gateway on',
      });
    }
    return { name: networkName, gatewayIp };
  }

  #checkIsolation(network: NetworkInfo): void {
    const { networkName, allowSandboxToSandbox, logger } = this.#options;
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

  async #create(signal: AbortSignal): Promise<NetworkInfo> {
    const { engine, networkName, allowSandboxToSandbox, gatewayId, logger } = this.#options;
    try {
      const network = await engine.createNetwork(
        { name: networkName, labels: toGatewayOwnedLabels(gatewayId), isInterContainerTrafficEnabled: allowSandboxToSandbox },
        signal,
      );
      logger.info('created bridge network', { network: networkName, gatewayIp: network.gatewayIp, sandboxToSandbox: allowSandboxToSandbox });
      return network;
    } catch (error) {
      // Another driver created it between our inspect and create: reuse theirs.
      const existing = await engine.inspectNetwork(networkName, signal);
      if (existing !== undefined) return existing;
      throw error;
    }
  }
}
