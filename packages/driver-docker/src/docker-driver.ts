import { setMaxListeners } from 'node:events';

import {
  CallbackNetwork,
  ContainerEvents,
  ContainerInventory,
  ContainerSandboxDeleter,
  ContainerWatchAdapter,
  provisionSandbox,
  resolveBindMounts,
  toPendingDriverSandbox,
  toPendingSandbox,
} from '@shellgate/container-engine';
import type { ContainerEvent, ResolvedNetwork, SandboxRef } from '@shellgate/container-engine';
import {
  ErrorCode,
  EventStreamWatchSource,
  GATEWAY_CALLBACK_HOSTNAME,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  SandboxTracker,
  WatchHub,
  formatListenerAddress,
  isShellgateError,
  toCallbackEndpoint,
  validateWorkspaceName,
} from '@shellgate/driver-sdk';
import type {
  CallContext,
  ComputeDriverImpl,
  CreateSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  EnsureWorkspaceRequest,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsResponse,
  GetSandboxResponse,
  ListSandboxesResponse,
  Logger,
  Sleep,
  ValidateSandboxCreateRequest,
  WatchSandboxesEvent,
} from '@shellgate/driver-sdk';

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
export interface DockerDriverDeps {
  readonly engine: DockerEngine;
  readonly store: SandboxStateStore;
  readonly settings: DockerDriverSettings;
  readonly logger: Logger;
  /** Epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** Used between event-stream reconnects; a real timer by default. */
  readonly sleep?: Sleep;
}

/** How long close() lets in-flight creates finish before cancelling them. */
const CLOSE_GRACE_MS = 5000;

/** The Docker compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`. */
export class DockerDriver implements ComputeDriverImpl {
  readonly #deps: DockerDriverDeps;
  readonly #hub: WatchHub;
  readonly #tracker: SandboxTracker;
  readonly #inventory: ContainerInventory;
  readonly #network: CallbackNetwork;
  readonly #events: ContainerEvents;
  readonly #deleter: ContainerSandboxDeleter;
  readonly #watcher: EventStreamWatchSource<ContainerEvent>;
  readonly #lifetime = new AbortController();
  #engineInfo: Promise<EngineInfo> | undefined;

  constructor(deps: DockerDriverDeps) {
    this.#deps = deps;
    // Every in-flight container create listens on it: 20 concurrent creates are not a leak.
    setMaxListeners(0, this.#lifetime.signal);
    const { engine, store, settings, logger } = deps;
    this.#hub = new WatchHub({ snapshot: () => this.#inventory.listAll(this.#lifetime.signal), logger });
    this.#tracker = new SandboxTracker(this.#hub);
    this.#inventory = new ContainerInventory({ engine, store, tracker: this.#tracker, gatewayId: settings.gatewayId, vocabularies: LABEL_VOCABULARIES, naming: DOCKER_NAMING });
    this.#deleter = new ContainerSandboxDeleter({ engine, inventory: this.#inventory, store, tracker: this.#tracker, logger, naming: DOCKER_NAMING, quoteWorkspace: (workspace) => JSON.stringify(workspace) });
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
    this.#events = new ContainerEvents({ inventory: this.#inventory, tracker: this.#tracker, store, now: deps.now ?? Date.now, eventSource: DRIVER_NAME });
    this.#watcher = new EventStreamWatchSource({
      // Unfiltered by label: Docker ANDs label filters, and ownership has two vocabularies
      // (current and legacy), so ContainerEvents keeps only ours per event.
      adapter: new ContainerWatchAdapter(engine, this.#inventory, this.#events, []),
      tracker: this.#tracker,
      logger,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
  }

  /** Prepares the state directory, restores failed creates, and starts following Docker events. */
  async start(): Promise<void> {
    await this.#deps.store.prepare();
    await this.#events.restoreFailures();
    this.#watcher.start();
    // Best effort: the network is needed by the first create and the listener requirement.
    this.#network.ensure(this.#lifetime.signal).catch((error: unknown) => {
      if (isShellgateError(error) && error.code === ErrorCode.FailedPrecondition) {
        this.#deps.logger.error('the sandbox network cannot be used; no sandbox starts until it is fixed', { error });
      } else {
        this.#deps.logger.warn('could not prepare the sandbox network yet; will retry on demand', { error });
      }
    });
  }

  /** Times the Docker event stream was opened (for tests and diagnostics). */
  get eventConnections(): number {
    return this.#watcher.connections;
  }

  getCapabilities(): GetCapabilitiesResponse {
    return { driverName: DRIVER_NAME, driverVersion: DRIVER_VERSION, defaultImage: this.#deps.settings.defaultImage, gatewayManagesLifecycle: true };
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
    const { store, logger } = this.#deps;
    if (this.#inventory.pending.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
    const pending = toPendingSandbox(sandbox);
    this.#inventory.pending.set(sandbox.id, pending);
    let tokenHostPath: string;
    try {
      const existing = await this.#inventory.findContainerIds({ sandboxId: sandbox.id, sandboxName: '' }, ctx.signal);
      if (existing.length > 0) throw new SandboxAlreadyExistsError(sandbox.id);
      tokenHostPath = await store.writeToken(sandbox.id, sandbox.spec?.sandboxToken ?? '');
      await store.writeState({ id: sandbox.id, name: sandbox.name, namespace: sandbox.namespace, workspace: sandbox.workspace, isStoppedByUs: false });
    } catch (error) {
      this.#inventory.pending.delete(sandbox.id);
      throw toDriverError(error, { operation: 'prepare sandbox files', sandboxId: sandbox.id });
    }
    // From here on the background task works on a copy without the token.
    const copy = structuredClone(sandbox);
    if (copy.spec !== undefined) copy.spec.sandboxToken = '';
    this.#tracker.revive(sandbox.id);
    this.#tracker.publish(toPendingDriverSandbox(pending));
    logger.info('sandbox accepted', { sandboxId: sandbox.id, sandboxName: sandbox.name });
    pending.task = provisionSandbox(
      {
        engine: this.#deps.engine,
        store,
        logger: logger.child({ sandboxId: sandbox.id }),
        defaultImage: this.#deps.settings.defaultImage,
        pullPolicy: this.#deps.settings.imagePullPolicy,
        ensureNetwork: (signal) => this.#network.ensure(signal),
        mounts: options.mounts,
        resolveBindMounts: (mounts) => resolveBindMounts(mounts, DRIVER_CONFIG_MOUNTS_FIELD, this.#deps.settings.bindMounts),
        toSpec: (image, network, mounts) => toContainerCreateSpec(copy, { image, tokenHostPath, options: { ...options, mounts }, defaults: this.#toContainerDefaults(network) }),
        onUpdate: (update) => this.#tracker.publish(update),
        onPlatformEvent: (id, reason, message, type) => this.#events.publishPlatformEvent(id, reason, message, type),
        onStarted: (started, info) => this.#events.promote(started, info, this.#lifetime.signal),
        now: this.#deps.now ?? Date.now,
        lifetime: this.#lifetime.signal,
      },
      pending,
      copy,
    );
  }

  async getSandbox(request: SandboxRef, ctx: CallContext): Promise<GetSandboxResponse> {
    const pending = this.#inventory.findPending(request);
    if (pending !== undefined) return { sandbox: toPendingDriverSandbox(pending) };
    const info = await this.#inventory.findContainer(request, ctx.signal);
    if (info === undefined) throw new SandboxNotFoundError(request.sandboxId || request.sandboxName);
    return { sandbox: await this.#inventory.toSandbox(info) };
  }

  async listSandboxes(_request: unknown, ctx: CallContext): Promise<ListSandboxesResponse> {
    return { sandboxes: await this.#inventory.listAll(ctx.signal) };
  }

  async stopSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const { info, sandboxId } = await this.#inventory.requireContainer(request, ctx.signal);
    const state = await this.#deps.store.readState(sandboxId);
    if (state !== undefined && !state.isStoppedByUs) await this.#deps.store.writeState({ ...state, isStoppedByUs: true });
    await this.#engineCall(`stop container ${info.id}`, sandboxId, () => this.#deps.engine.stopContainer(info.id, this.#deps.settings.stopTimeoutSeconds, ctx.signal));
    await this.#events.refresh(info.id, ctx.signal);
  }

  async startSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const { info, sandboxId } = await this.#inventory.requireContainer(request, ctx.signal);
    const state = await this.#deps.store.readState(sandboxId);
    if (state?.isStoppedByUs === true) await this.#deps.store.writeState({ ...state, isStoppedByUs: false });
    // The last run's supervisor emptied the token file. Docker mounts the file anew at start,
    // so replacing it now is safe; a running container keeps its own (and needs no token).
    if (info.state !== ContainerState.Running) {
      try {
        await this.#deps.store.deliverToken(sandboxId);
      } catch (error) {
        throw toDriverError(error, { operation: 'deliver the sandbox token', sandboxId });
      }
    }
    await this.#engineCall(`start container ${info.id}`, sandboxId, () => this.#deps.engine.startContainer(info.id, ctx.signal));
    await this.#events.refresh(info.id, ctx.signal);
  }

  async deleteSandbox(request: SandboxRef, ctx: CallContext): Promise<DeleteSandboxResponse> {
    return this.#deleter.deleteSandbox(request, ctx.signal);
  }

  watchSandboxes(_request: unknown, ctx: CallContext): AsyncIterable<WatchSandboxesEvent> {
    return this.#hub.subscribe(ctx.signal);
  }

  /** Workspaces are labels on Docker; there is nothing to create. */
  ensureWorkspace(request: EnsureWorkspaceRequest): void {
    validateWorkspaceName(request.workspace);
  }

  async deleteWorkspace(request: DeleteWorkspaceRequest, ctx: CallContext): Promise<void> {
    await this.#deleter.deleteWorkspace(request.workspace, ctx.signal);
  }

  async close(): Promise<void> {
    const tasks = [...this.#inventory.pending.values()].map((pending) => pending.task);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(tasks), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const pending of this.#inventory.pending.values()) pending.abort.abort();
    this.#lifetime.abort();
    await this.#watcher.close();
    this.#hub.close();
  }

  async #validate(sandbox: ValidateSandboxCreateRequest['sandbox'], signal: AbortSignal): Promise<ValidatedSandbox> {
    const { allowBindMounts, bindMounts } = this.#deps.settings;
    return validateDockerSandbox(sandbox, { allowBindMounts, bindMounts, engineInfo: (s) => this.#fetchEngineInfo(s) }, signal);
  }

  #fetchEngineInfo(signal: AbortSignal): Promise<EngineInfo> {
    if (this.#engineInfo === undefined) {
      const attempt = this.#engineCall('docker info', undefined, () => this.#deps.engine.info(signal));
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
    };
  }

  async #engineCall<T>(operation: string, sandboxId: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toDriverError(error, { operation, endpoint: this.#deps.engine.endpoint, ...(sandboxId === undefined ? {} : { sandboxId }) });
    }
  }
}
