import { FailedPreconditionError, toGatewayOwnedLabels } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';

import type { DockerEngine, NetworkInfo } from '../engine/docker-engine.js';
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
  readonly gatewayId: string;
  /** `host_gateway_ip`: overrides the bridge gateway IP. */
  readonly hostGatewayIp: string | undefined;
  readonly logger: Logger;
}

/**
 * Ensures the managed bridge network exists (created with our labels if missing, reused if
 * present) and resolves its gateway IP: the address the gateway binds for sandbox callbacks.
 * The answer is cached; a failed attempt is retried on the next call.
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
    const gatewayIp = this.#options.hostGatewayIp || network.gatewayIp;
    if (gatewayIp === undefined || gatewayIp === '') {
      throw new FailedPreconditionError(`network ${networkName} has no IPAM gateway address`, {
        hint: 'set host_gateway_ip to the address sandboxes should reach the gateway on',
      });
    }
    return { name: networkName, gatewayIp };
  }

  async #create(signal: AbortSignal): Promise<NetworkInfo> {
    const { engine, networkName, gatewayId, logger } = this.#options;
    try {
      const network = await engine.createNetwork(
        { name: networkName, labels: toGatewayOwnedLabels(gatewayId) },
        signal,
      );
      logger.info('created bridge network', { network: networkName, gatewayIp: network.gatewayIp });
      return network;
    } catch (error) {
      // Another driver created it between our inspect and create: reuse theirs.
      const existing = await engine.inspectNetwork(networkName, signal);
      if (existing !== undefined) return existing;
      throw error;
    }
  }
}
