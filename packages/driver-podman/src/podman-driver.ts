import { ContainerComputeDriver, ContainerState, provisionSandbox } from '@shellgate/container-engine';
import type { ContainerDriverDeps, ContainerEvent, SandboxRef } from '@shellgate/container-engine';
import { MANAGED_BY_VALUE, SANDBOX_LABEL_KEYS } from '@shellgate/driver-sdk';
import type { CallContext, CreateSandboxRequest, GetGatewayListenerRequirementsResponse, ValidateSandboxCreateRequest } from '@shellgate/driver-sdk';

import type { PodmanContainerDefaults } from './container/podman-create-spec.js';
import { toPodmanCreateSpec } from './container/podman-create-spec.js';
import type { PodmanEngine } from './engine/podman-engine.js';
import { PODMAN_NAMING } from './engine/podman-naming.js';
import { BridgePortIsolation } from './network/bridge-port-isolation.js';
import { SandboxNetwork } from './network/sandbox-network.js';
import { SandboxStarter } from './sandbox-starter.js';
import type { PodmanDriverSettings } from './settings.js';
import { DRIVER_CONFIG_MOUNTS_FIELD, validatePodmanSandbox } from './validate-sandbox.js';
import type { SandboxValidationPolicy, ValidatedSandbox } from './validate-sandbox.js';
import { DRIVER_NAME, DRIVER_VERSION } from './version.js';

/** Everything the driver touches, injected (STYLE.md rule 15). */
export interface PodmanDriverDeps extends ContainerDriverDeps<PodmanEngine, PodmanDriverSettings> {
  /** Bridge port isolation over the real /sys by default. */
  readonly isolation?: Pick<BridgePortIsolation, 'isolatePorts'>;
  /** The host check of validation for CDI specs; the real host by default. */
  readonly host?: Pick<SandboxValidationPolicy, 'hasCdiSpecs'>;
}

/**
 * The Podman compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`.
 * What every container driver answers alike is `ContainerComputeDriver`'s; here are
 * validation, the network modes, the create spec and Start, in Podman's way.
 */
export class PodmanDriver extends ContainerComputeDriver {
  readonly #deps: PodmanDriverDeps;
  readonly #network: SandboxNetwork;
  readonly #starter: SandboxStarter;

  constructor(deps: PodmanDriverDeps) {
    super(deps, {
      naming: PODMAN_NAMING,
      driverName: DRIVER_NAME,
      driverVersion: DRIVER_VERSION,
      vocabularies: [SANDBOX_LABEL_KEYS],
      // libpod ORs label filters on events, so one: managed by us (ContainerEvents checks the gateway id).
      eventFilters: [`${SANDBOX_LABEL_KEYS.managedBy}=${MANAGED_BY_VALUE}`],
      mountsField: DRIVER_CONFIG_MOUNTS_FIELD,
    });
    this.#deps = deps;
    const { engine, store, settings, logger } = deps;
    this.#network = new SandboxNetwork({ engine, settings, logger, isolation: deps.isolation ?? new BridgePortIsolation() });
    this.#starter = new SandboxStarter({ engine, store, network: this.#network, lifetime: this.lifetime });
  }

  /** Prepares the state directory, restores failed creates, and starts following Podman events. */
  async start(): Promise<void> {
    await this.startWatching();
    if (!this.#network.isBridged) return;
    // Best effort: the network is needed by the first create and the listener requirement.
    this.#network.ensureBridge(this.lifetime).catch((error: unknown) => {
      this.#deps.logger.warn('could not prepare the sandbox network yet; will retry on demand', { error });
    });
  }

  async getGatewayListenerRequirements(_request: unknown, ctx: CallContext): Promise<GetGatewayListenerRequirementsResponse> {
    return { requirements: [await this.#network.listenerRequirement(ctx.signal)] };
  }

  async validateSandboxCreate(request: ValidateSandboxCreateRequest): Promise<void> {
    await this.#validate(request.sandbox);
  }

  async createSandbox(request: CreateSandboxRequest, ctx: CallContext): Promise<void> {
    const { sandbox, options } = await this.#validate(request.sandbox);
    // The SDK store keeps the token unmounted (token.kept) and writes the file to deliver.
    const { pending, copy, tokenHostPath } = await this.acceptSandbox(sandbox, ctx.signal);
    pending.task = provisionSandbox(
      {
        ...this.toSharedProvisionContext(sandbox.id),
        engine: this.#starter.provisionEngine(sandbox.id),
        ensureNetwork: (signal) => this.#containerDefaults(signal),
        mounts: options.mounts,
        toSpec: (image, defaults, mounts) => toPodmanCreateSpec(copy, { image, tokenHostPath, options: { ...options, mounts }, defaults }),
      },
      pending,
      copy,
    );
  }

  async startSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const { info, sandboxId } = await this.prepareStart(request, ctx.signal);
    // A running container keeps the file it mounted (and its supervisor needs no token).
    const isTokenDelivered = info.state === ContainerState.Running;
    await this.engineCall(`start container ${info.id}`, sandboxId, () => this.#starter.start(sandboxId, info.id, ctx.signal, { isTokenDelivered }));
    await this.events.refresh(info.id, ctx.signal);
  }

  /** A container started behind the driver's back (`podman start`) gets its bridge port isolated like one the driver starts. */
  protected override onSandboxContainerStarted(event: ContainerEvent): void {
    this.#network.isolateSandboxes(this.lifetime).catch((error: unknown) => this.#deps.logger.error('could not isolate a started sandbox from the others', { containerId: event.containerId, error }));
  }

  async #validate(sandbox: ValidateSandboxCreateRequest['sandbox']): Promise<ValidatedSandbox> {
    const { settings, host } = this.#deps;
    const { allowBindMounts, bindMounts, isRootless, canEnforceLimits } = settings;
    return validatePodmanSandbox(sandbox, { allowBindMounts, bindMounts, isRootless, canEnforceLimits, ...host });
  }

  /** What every container of this driver shares, once the network (bridge mode) is ready. */
  async #containerDefaults(signal: AbortSignal): Promise<PodmanContainerDefaults> {
    const { settings } = this.#deps;
    return {
      gatewayId: settings.gatewayId,
      pidsLimit: settings.canEnforceLimits ? settings.pidsLimit : 0,
      stopTimeoutSeconds: settings.stopTimeoutSeconds,
      supervisor: settings.supervisorRuntime,
      isTokenExposedToAgent: settings.isTokenExposedToAgent,
      supervisorTls: settings.supervisorTls,
      ...(await this.#network.toNetworking(signal)),
    };
  }
}
