import { CallbackNetwork } from '@shellgate/container-engine';
import type { ResolvedNetwork } from '@shellgate/container-engine';
import { GATEWAY_CALLBACK_HOSTNAME, MANAGED_BY_VALUE, SANDBOX_LABEL_KEYS, formatListenerAddress, toCallbackEndpoint } from '@shellgate/driver-sdk';
import type { GatewayListenerRequirement, Logger } from '@shellgate/driver-sdk';

import type { ContainerNetworkSpec, LibpodNetworkInfo, PodmanEngine } from '../engine/podman-engine.js';
import { PODMAN_NAMING } from '../engine/podman-naming.js';
import { toDriverError } from '../errors.js';
import type { PodmanDriverSettings } from '../settings.js';
import type { BridgePortIsolation } from './bridge-port-isolation.js';

/** What rootless sandboxes resolve to the host (slirp4netns and pasta put it in /etc/hosts). */
export const ROOTLESS_HOST_NAME = 'host.containers.internal';

/** How a sandbox container is networked and finds the gateway. */
export interface SandboxNetworking {
  readonly network: ContainerNetworkSpec;
  /** `/etc/hosts` entries naming the gateway. */
  readonly hostEntries: readonly string[];
  /** `OPENSHELL_ENDPOINT`. */
  readonly endpoint: string;
}

export interface SandboxNetworkOptions {
  readonly engine: PodmanEngine;
  readonly settings: PodmanDriverSettings;
  readonly logger: Logger;
  readonly isolation: Pick<BridgePortIsolation, 'isolatePorts'>;
}

/**
 * How sandboxes are networked, and kept apart. Rootful: the managed bridge network (the
 * shared `CallbackNetwork`), held up by an anchor pod, its ports isolated after every start.
 * Rootless: user-mode networking per sandbox, where there is nothing to hold up or isolate.
 */
export class SandboxNetwork {
  readonly #options: SandboxNetworkOptions;
  readonly #network: CallbackNetwork<LibpodNetworkInfo>;
  /** The anchor pod's start, once per driver run (see `ensureBridge`). */
  #anchor: Promise<void> | undefined;
  /** Whether `#anchor` has settled: only a settled start is checked again. */
  #isAnchorSettled = false;

  constructor(options: SandboxNetworkOptions) {
    this.#options = options;
    const { engine, settings, logger } = options;
    // netavark 1.4 networks cannot keep their containers apart: ports are isolated instead.
    const { networkName, allowSandboxToSandbox, gatewayId, hostGatewayIp } = settings;
    this.#network = new CallbackNetwork({ engine, networkName, allowSandboxToSandbox, gatewayId, hostGatewayIp, logger, naming: PODMAN_NAMING });
  }

  get isBridged(): boolean {
    return this.#options.settings.networkMode === 'bridge';
  }

  /**
   * The managed network with its bridge up. netavark makes a network's bridge with its first
   * container and removes it with its last, but the gateway must bind the bridge's address
   * before any sandbox runs (and after a shutdown stopped them all): an anchor pod, whose
   * infra container runs Podman's own pause image (no registry needed), keeps the bridge up.
   * Started once per driver run, and checked again on every `isAnchorChecked` call. A check
   * while a start is in flight joins it: two creates of one pod at once let the loser's start
   * run before the winner's infra container exists, and Podman then refuses the start
   * ("no such container"; seen on a fresh engine, where the pause image is built first).
   */
  async ensureBridge(signal: AbortSignal, options: { readonly isAnchorChecked?: boolean } = {}): Promise<ResolvedNetwork<LibpodNetworkInfo>> {
    const network = await this.#network.ensure(signal);
    if (options.isAnchorChecked === true && this.#isAnchorSettled) this.#anchor = undefined;
    if (this.#anchor === undefined) {
      const attempt = this.#startAnchor(network.name, signal);
      this.#anchor = attempt;
      this.#isAnchorSettled = false;
      attempt.then(
        () => {
          if (this.#anchor === attempt) this.#isAnchorSettled = true;
        },
        () => {
          if (this.#anchor === attempt) this.#anchor = undefined;
        },
      );
    }
    await this.#anchor;
    return network;
  }

  /** What the gateway must bind for sandboxes to reach it. */
  async listenerRequirement(signal: AbortSignal): Promise<GatewayListenerRequirement> {
    const { networkMode } = this.#options.settings;
    if (!this.isBridged) {
      const reason = `rootless sandboxes (${networkMode}) reach the gateway as ${ROOTLESS_HOST_NAME}, the host's default-route address`;
      return { reason, selector: { $case: 'defaultRouteInterface', defaultRouteInterface: {} } };
    }
    // Every time, not once: the gateway asks at its start, and binds the address right after.
    const network = await this.ensureBridge(signal, { isAnchorChecked: true });
    const reason = `sandboxes on Podman network ${network.name} reach the gateway as ${GATEWAY_CALLBACK_HOSTNAME} = ${network.gatewayIp}`;
    return { reason, selector: { $case: 'exactBindAddress', exactBindAddress: formatListenerAddress(network.gatewayIp, this.#options.settings.gatewayPort) } };
  }

  /** How the next container is networked; bridge mode makes sure the bridge is up. */
  async toNetworking(signal: AbortSignal): Promise<SandboxNetworking> {
    const { settings } = this.#options;
    if (settings.networkMode !== 'bridge') {
      return { network: { mode: settings.networkMode }, hostEntries: [], endpoint: toCallbackEndpoint(settings.gatewayScheme, settings.gatewayPort, ROOTLESS_HOST_NAME) };
    }
    const network = await this.ensureBridge(signal);
    return {
      network: { mode: 'bridge', networkName: network.name },
      hostEntries: [`${GATEWAY_CALLBACK_HOSTNAME}:${network.gatewayIp}`],
      endpoint: toCallbackEndpoint(settings.gatewayScheme, settings.gatewayPort),
    };
  }

  /** Marks every port of the managed bridge isolated; nothing to do off the bridge or when sandboxes may talk. */
  async isolateSandboxes(signal: AbortSignal): Promise<void> {
    const { settings, logger, isolation } = this.#options;
    if (!this.isBridged || settings.allowSandboxToSandbox) return;
    const network = await this.ensureBridge(signal);
    if (network.info.interfaceName === '') throw new Error(`network ${network.name} names no bridge device`);
    const changed = await isolation.isolatePorts(network.info.interfaceName);
    if (changed > 0) logger.debug('isolated bridge ports', { bridge: network.info.interfaceName, ports: changed });
  }

  /** Only managed-by (no gateway id): its infra container, which carries the pod's labels, is then no sandbox in any listing. */
  async #startAnchor(networkName: string, signal: AbortSignal): Promise<void> {
    const { engine } = this.#options;
    const spec = { name: `${networkName}-anchor`, labels: { [SANDBOX_LABEL_KEYS.managedBy]: MANAGED_BY_VALUE }, networkName };
    try {
      await engine.ensurePod(spec, signal);
    } catch (error) {
      throw toDriverError(error, { operation: `start the anchor pod ${spec.name} of network ${networkName}`, endpoint: engine.endpoint });
    }
  }
}
