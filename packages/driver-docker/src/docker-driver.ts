import { CallbackNetwork, ContainerComputeDriver, provisionSandbox } from '@shellgate/container-engine';
import type { ContainerDriverDeps, ResolvedNetwork, SandboxRef } from '@shellgate/container-engine';
import { ErrorCode, GATEWAY_CALLBACK_HOSTNAME, formatListenerAddress, isShellgateError, toCallbackEndpoint } from '@shellgate/driver-sdk';
import type { CallContext, CreateSandboxRequest, GetGatewayListenerRequirementsResponse, ValidateSandboxCreateRequest } from '@shellgate/driver-sdk';

import type { ContainerDefaults } from './container/container-spec.js';
import { toContainerCreateSpec } from './container/container-spec.js';
import { DRIVER_CONFIG_MOUNTS_FIELD } from './container/driver-config.js';
import type { DockerEngine, EngineInfo } from './engine/docker-engine.js';
import { ContainerState } from './engine/docker-engine.js';
import { DOCKER_NAMING } from './engine/docker-naming.js';
import { checkInterContainerTraffic } from './engine/inter-container-traffic.js';
import { toDriverError } from './errors.js';
import { LABEL_VOCABULARIES } from './labels.js';
import type { DockerDriverSettings } from './settings.js';
import type { SandboxStateStore } from './state.js';
import { validateDockerSandbox } from './validate-sandbox.js';
import type { ValidatedSandbox } from './validate-sandbox.js';
import { DRIVER_NAME, DRIVER_VERSION } from './version.js';

/** Everything the driver touches, injected (STYLE.md rule 15). */
export type DockerDriverDeps = ContainerDriverDeps<DockerEngine, DockerDriverSettings, SandboxStateStore>;

/**
 * The Docker compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`.
 * What every container driver answers alike is `ContainerComputeDriver`'s; here are
 * validation, the callback network, the create spec and Start, in Docker's way.
 */
export class DockerDriver extends ContainerComputeDriver {
  readonly #deps: DockerDriverDeps;
  readonly #network: CallbackNetwork;
  #engineInfo: Promise<EngineInfo> | undefined;

  constructor(deps: DockerDriverDeps) {
    super(deps, {
      naming: DOCKER_NAMING,
      driverName: DRIVER_NAME,
      driverVersion: DRIVER_VERSION,
      vocabularies: LABEL_VOCABULARIES,
      // Unfiltered by label: Docker ANDs label filters, and ownership has two vocabularies
      // (current and legacy), so ContainerEvents keeps only ours per event.
      eventFilters: [],
      mountsField: DRIVER_CONFIG_MOUNTS_FIELD,
      // Docker's busy-workspace message always named the whole workspace.
      quoteWorkspace: (workspace) => JSON.stringify(workspace),
    });
    this.#deps = deps;
    const { engine, settings, logger } = deps;
    const { networkName, allowSandboxToSandbox, gatewayId, hostGatewayIp } = settings;
    const isolation = { networkName, allowSandboxToSandbox, logger };
    this.#network = new CallbackNetwork({
      engine,
      ...isolation,
      checkNetwork: (network) => checkInterContainerTraffic(network, isolation),
      gatewayId,
      hostGatewayIp,
      naming: DOCKER_NAMING,
    });
  }

  /** Prepares the state directory, restores failed creates, and starts following Docker events. */
  async start(): Promise<void> {
    await this.startWatching();
    // Best effort: the network is needed by the first create and the listener requirement.
    this.#network.ensure(this.lifetime).catch((error: unknown) => {
      if (isShellgateError(error) && error.code === ErrorCode.FailedPrecondition) {
        this.#deps.logger.error('the sandbox network cannot be used; no sandbox starts until it is fixed', { error });
      } else {
        this.#deps.logger.warn('could not prepare the sandbox network yet; will retry on demand', { error });
      }
    });
  }

  async getGatewayListenerRequirements(_request: unknown, ctx: CallContext): Promise<GetGatewayListenerRequirementsResponse> {
    const network = await this.#network.ensure(ctx.signal);
    const reason = `sandboxes on Docker network ${network.name} reach the gateway as ${GATEWAY_CALLBACK_HOSTNAME} = ${network.gatewayIp}`;
    // IP:port, as upstream's gateway parses it (a bare IP makes it refuse to start).
    const exactBindAddress = formatListenerAddress(network.gatewayIp, this.#deps.settings.gatewayPort);
    return { requirements: [{ reason, selector: { $case: 'exactBindAddress', exactBindAddress } }] };
  }

  async validateSandboxCreate(request: ValidateSandboxCreateRequest, ctx: CallContext): Promise<void> {
    await this.#validate(request.sandbox, ctx.signal);
  }

  async createSandbox(request: CreateSandboxRequest, ctx: CallContext): Promise<void> {
    const { sandbox, options } = await this.#validate(request.sandbox, ctx.signal);
    const { pending, copy, tokenHostPath } = await this.acceptSandbox(sandbox, ctx.signal);
    pending.task = provisionSandbox(
      {
        ...this.toSharedProvisionContext(sandbox.id),
        engine: this.#deps.engine,
        ensureNetwork: (signal) => this.#network.ensure(signal),
        mounts: options.mounts,
        toSpec: (image, network, mounts) => toContainerCreateSpec(copy, { image, tokenHostPath, options: { ...options, mounts }, defaults: this.#toContainerDefaults(network) }),
      },
      pending,
      copy,
    );
  }

  async startSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const { info, sandboxId } = await this.prepareStart(request, ctx.signal);
    // The last run's supervisor emptied the token file. Docker mounts the file anew at start,
    // so replacing it now is safe; a running container keeps its own (and needs no token).
    if (info.state !== ContainerState.Running) {
      try {
        await this.#deps.store.deliverToken(sandboxId);
      } catch (error) {
        throw toDriverError(error, { operation: 'deliver the sandbox token', sandboxId });
      }
    }
    await this.engineCall(`start container ${info.id}`, sandboxId, () => this.#deps.engine.startContainer(info.id, ctx.signal));
    await this.events.refresh(info.id, ctx.signal);
  }

  async #validate(sandbox: ValidateSandboxCreateRequest['sandbox'], signal: AbortSignal): Promise<ValidatedSandbox> {
    const { allowBindMounts, bindMounts } = this.#deps.settings;
    return validateDockerSandbox(sandbox, { allowBindMounts, bindMounts, engineInfo: (s) => this.#fetchEngineInfo(s) }, signal);
  }

  #fetchEngineInfo(signal: AbortSignal): Promise<EngineInfo> {
    if (this.#engineInfo === undefined) {
      const attempt = this.engineCall('docker info', undefined, () => this.#deps.engine.info(signal));
      this.#engineInfo = attempt;
      attempt.catch(() => (this.#engineInfo = undefined));
    }
    return this.#engineInfo;
  }

  #toContainerDefaults(network: ResolvedNetwork): ContainerDefaults {
    const { settings } = this.#deps;
    return {
      gatewayId: settings.gatewayId,
      networkName: network.name,
      gatewayIp: network.gatewayIp,
      endpoint: toCallbackEndpoint(settings.gatewayScheme, settings.gatewayPort),
      pidsLimit: settings.pidsLimit,
      stopTimeoutSeconds: settings.stopTimeoutSeconds,
      supervisor: settings.supervisorRuntime,
      isTokenExposedToAgent: settings.isTokenExposedToAgent,
      supervisorTls: settings.supervisorTls,
    };
  }
}
