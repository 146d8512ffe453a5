import { FailedPreconditionError, toGatewayOwnedLabels } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';
import { toEngineDriverError } from '../errors.js';
import type { NetworkInfo } from '../payload/network-info.js';

/** The bridge sandboxes join and the address they reach the gateway on. */
export interface ResolvedNetwork<Info extends NetworkInfo = NetworkInfo> {
  readonly name: string;
  /** The bridge gateway IP, or `host_gateway_ip` when configured. */
  readonly gatewayIp: string;
  /** What the engine said about the network. */
  readonly info: Info;
}

/** A network to create: its name and our labels. */
export interface NetworkCreateSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The network calls of an engine, answering the engine's own network info. */
export interface NetworkEngine<Info extends NetworkInfo> {
  readonly endpoint: string;
  /** Undefined when the network does not exist. */
  inspectNetwork(name: string, signal: AbortSignal): Promise<Info | undefined>;
  /** A bridge network with `spec`'s labels. */
  createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<Info>;
}

export interface CallbackNetworkOptions<Info extends NetworkInfo> {
  readonly engine: NetworkEngine<Info>;
  readonly networkName: string;
  readonly gatewayId: string;
  /** `host_gateway_ip`: overrides the bridge gateway IP. */
  readonly hostGatewayIp: string | undefined;
  readonly logger: Logger;
  /** The engine's words in errors. */
  readonly naming: EngineNaming;
}

/**
 * Ensures the managed bridge network exists (created with our labels if missing, reused if
 * present) and resolves its gateway IP: the address the gateway binds for sandbox callbacks.
 * The answer is cached; a failed attempt is retried on the next call.
 */
export class CallbackNetwork<Info extends NetworkInfo = NetworkInfo> {
  readonly #options: CallbackNetworkOptions<Info>;
  #resolved: Promise<ResolvedNetwork<Info>> | undefined;

  constructor(options: CallbackNetworkOptions<Info>) {
    this.#options = options;
  }

  ensure(signal: AbortSignal): Promise<ResolvedNetwork<Info>> {
    if (this.#resolved === undefined) {
      const attempt = this.#resolve(signal);
      this.#resolved = attempt;
      attempt.catch(() => {
        if (this.#resolved === attempt) this.#resolved = undefined;
      });
    }
    return this.#resolved;
  }

  async #resolve(signal: AbortSignal): Promise<ResolvedNetwork<Info>> {
    const { engine, networkName, naming } = this.#options;
    const context = { operation: `ensure network ${networkName}`, endpoint: engine.endpoint };
    let network: Info | undefined;
    try {
      network = await engine.inspectNetwork(networkName, signal);
      if (network === undefined) network = await this.#create(signal);
    } catch (error) {
      throw toEngineDriverError(error, context, naming);
    }
    const gatewayIp = this.#options.hostGatewayIp || network.gatewayIp;
    if (gatewayIp === undefined || gatewayIp === '') {
      throw new FailedPreconditionError(`network ${networkName} has no IPAM gateway address`, {
        hint: 'set host_gateway_ip to the address sandboxes should reach the gateway on',
      });
    }
    return { name: networkName, gatewayIp, info: network };
  }

  async #create(signal: AbortSignal): Promise<Info> {
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
