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

/** A network to create: its name, our labels, and whether its containers may reach each other. */
export interface NetworkCreateSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Containers on the network reach each other (Docker's inter-container traffic). An engine
   * whose networks cannot turn it off (netavark 1.4) isolates its sandboxes another way.
   */
  readonly isInterContainerTrafficEnabled: boolean;
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
  /** `allow_sandbox_to_sandbox`: create the network with inter-container traffic on. */
  readonly allowSandboxToSandbox: boolean;
  /**
   * Checks a network found or made before it is used; throws when it must not be (Docker:
   * one that lets sandboxes reach each other although they may not).
   */
  readonly checkNetwork?: (network: Info) => void;
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
 * The network is created with inter-container traffic off unless `allowSandboxToSandbox`,
 * and `checkNetwork` may refuse an existing one (the gateway IP is the host, not a
 * container, so callbacks pass either way). The answer is cached; a failed attempt is
 * retried on the next call.
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
    this.#options.checkNetwork?.(network);
    const gatewayIp = this.#options.hostGatewayIp || network.gatewayIp;
    if (gatewayIp === undefined || gatewayIp === '') {
      throw new FailedPreconditionError(`network ${networkName} has no IPAM gateway address`, {
        hint: 'set host_gateway_ip to the address sandboxes should reach the gateway on',
      });
    }
    return { name: networkName, gatewayIp, info: network };
  }

  async #create(signal: AbortSignal): Promise<Info> {
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
