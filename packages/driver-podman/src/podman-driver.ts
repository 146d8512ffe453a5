import { setMaxListeners } from 'node:events';

import {
  ContainerEvents,
  ContainerState,
  ContainerInventory,
  ContainerSandboxDeleter,
  ContainerWatchAdapter,
  provisionSandbox,
  resolveBindMounts,
  toPendingDriverSandbox,
  toPendingSandbox,
} from '@shellgate/container-engine';
import type { ContainerEvent, SandboxRef } from '@shellgate/container-engine';
import {
  EventStreamWatchSource,
  MANAGED_BY_VALUE,
  SANDBOX_LABEL_KEYS,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  SandboxTracker,
  WatchHub,
  validateWorkspaceName,
} from '@shellgate/driver-sdk';
import type {
  CallContext,
  ComputeDriverImpl,
  CreateSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  EnsureWorkspaceRequest,
  EventStreamAdapter,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsResponse,
  GetSandboxResponse,
  ListSandboxesResponse,
  Logger,
  SandboxFileStore,
  Sleep,
  ValidateSandboxCreateRequest,
  WatchSandboxesEvent,
} from '@shellgate/driver-sdk';

import type { PodmanContainerDefaults } from './container/podman-create-spec.js';
import { toPodmanCreateSpec } from './container/podman-create-spec.js';
import type { PodmanEngine } from './engine/podman-engine.js';
import { PODMAN_NAMING } from './engine/podman-naming.js';
import { toDriverError } from './errors.js';
import { BridgePortIsolation } from './network/bridge-port-isolation.js';
import { SandboxNetwork } from './network/sandbox-network.js';
import { SandboxStarter } from './sandbox-starter.js';
import type { PodmanDriverSettings } from './settings.js';
import { DRIVER_CONFIG_MOUNTS_FIELD, validatePodmanSandbox } from './validate-sandbox.js';
import type { SandboxValidationPolicy, ValidatedSandbox } from './validate-sandbox.js';
import { DRIVER_NAME, DRIVER_VERSION } from './version.js';

/** Everything the driver touches, injected (STYLE.md rule 15). */
export interface PodmanDriverDeps {
  readonly engine: PodmanEngine;
  readonly store: SandboxFileStore;
  readonly settings: PodmanDriverSettings;
  readonly logger: Logger;
  /** Epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** Used between event-stream reconnects; a real timer by default. */
  readonly sleep?: Sleep;
  /** Bridge port isolation over the real /sys by default. */
  readonly isolation?: Pick<BridgePortIsolation, 'isolatePorts'>;
  /** The host check of validation for CDI specs; the real host by default. */
  readonly host?: Pick<SandboxValidationPolicy, 'hasCdiSpecs'>;
}

/** How long close() lets in-flight creates finish before cancelling them. */
const CLOSE_GRACE_MS = 5000;

/** The Podman compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`. */
export class PodmanDriver implements ComputeDriverImpl {
  readonly #deps: PodmanDriverDeps;
  readonly #hub: WatchHub;
  readonly #tracker: SandboxTracker;
  readonly #inventory: ContainerInventory;
  readonly #network: SandboxNetwork;
  readonly #starter: SandboxStarter;
  readonly #events: ContainerEvents;
  readonly #deleter: ContainerSandboxDeleter;
  readonly #watcher: EventStreamWatchSource<ContainerEvent>;
  readonly #lifetime = new AbortController();

  constructor(deps: PodmanDriverDeps) {
    this.#deps = deps;
    // Every in-flight container create listens on it: 20 concurrent creates are not a leak.
    setMaxListeners(0, this.#lifetime.signal);
    const { engine, store, settings, logger } = deps;
    this.#hub = new WatchHub({ snapshot: () => this.#inventory.listAll(this.#lifetime.signal), logger });
    this.#tracker = new SandboxTracker(this.#hub);
    this.#inventory = new ContainerInventory({ engine, store, tracker: this.#tracker, gatewayId: settings.gatewayId, vocabularies: [SANDBOX_LABEL_KEYS], naming: PODMAN_NAMING });
    this.#deleter = new ContainerSandboxDeleter({ engine, inventory: this.#inventory, store, tracker: this.#tracker, logger, naming: PODMAN_NAMING });
    this.#network = new SandboxNetwork({ engine, settings, logger, isolation: deps.isolation ?? new BridgePortIsolation() });
    this.#starter = new SandboxStarter({ engine, store, network: this.#network, lifetime: this.#lifetime.signal });
    this.#events = new ContainerEvents({ inventory: this.#inventory, tracker: this.#tracker, store, now: deps.now ?? Date.now, eventSource: DRIVER_NAME });
    this.#watcher = new EventStreamWatchSource({ adapter: this.#watchAdapter(), tracker: this.#tracker, logger, ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }) });
  }

  /** Prepares the state directory, restores failed creates, and starts following Podman events. */
  async start(): Promise<void> {
    await this.#deps.store.prepare();
    await this.#events.restoreFailures();
    this.#watcher.start();
    if (!this.#network.isBridged) return;
    // Best effort: the network is needed by the first create and the listener requirement.
    this.#network.ensureBridge(this.#lifetime.signal).catch((error: unknown) => {
      this.#deps.logger.warn('could not prepare the sandbox network yet; will retry on demand', { error });
    });
  }

  /** Times the Podman event stream was opened (for tests and diagnostics). */
  get eventConnections(): number {
    return this.#watcher.connections;
  }

  getCapabilities(): GetCapabilitiesResponse {
    return { driverName: DRIVER_NAME, driverVersion: DRIVER_VERSION, defaultImage: this.#deps.settings.defaultImage, gatewayManagesLifecycle: true };
  }

  async getGatewayListenerRequirements(_request: unknown, ctx: CallContext): Promise<GetGatewayListenerRequirementsResponse> {
    return { requirements: [await this.#network.listenerRequirement(ctx.signal)] };
  }

  async validateSandboxCreate(request: ValidateSandboxCreateRequest): Promise<void> {
    await this.#validate(request.sandbox);
  }

  async createSandbox(request: CreateSandboxRequest, ctx: CallContext): Promise<void> {
    const { sandbox, options } = await this.#validate(request.sandbox);
    const { store, logger } = this.#deps;
    if (this.#inventory.pending.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
    const pending = toPendingSandbox(sandbox);
    this.#inventory.pending.set(sandbox.id, pending);
    let tokenHostPath: string;
    try {
      const existing = await this.#inventory.findContainerIds({ sandboxId: sandbox.id, sandboxName: '' }, ctx.signal);
      if (existing.length > 0) throw new SandboxAlreadyExistsError(sandbox.id);
      // The SDK store keeps the token unmounted (token.kept) and writes the file to deliver.
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
        engine: this.#starter.provisionEngine(sandbox.id),
        store,
        logger: logger.child({ sandboxId: sandbox.id }),
        defaultImage: this.#deps.settings.defaultImage,
        pullPolicy: this.#deps.settings.imagePullPolicy,
        ensureNetwork: (signal) => this.#containerDefaults(signal),
        mounts: options.mounts,
        resolveBindMounts: (mounts) => resolveBindMounts(mounts, DRIVER_CONFIG_MOUNTS_FIELD, this.#deps.settings.bindMounts),
        toSpec: (image, defaults, mounts) => toPodmanCreateSpec(copy, { image, tokenHostPath, options: { ...options, mounts }, defaults }),
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
    // A running container keeps the file it mounted (and its supervisor needs no token).
    const isTokenDelivered = info.state === ContainerState.Running;
    await this.#engineCall(`start container ${info.id}`, sandboxId, () => this.#starter.start(sandboxId, info.id, ctx.signal, { isTokenDelivered }));
    await this.#events.refresh(info.id, ctx.signal);
  }

  async deleteSandbox(request: SandboxRef, ctx: CallContext): Promise<DeleteSandboxResponse> {
    return this.#deleter.deleteSandbox(request, ctx.signal);
  }

  watchSandboxes(_request: unknown, ctx: CallContext): AsyncIterable<WatchSandboxesEvent> {
    return this.#hub.subscribe(ctx.signal);
  }

  /** Workspaces are labels on Podman; there is nothing to create. */
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
      ...(await this.#network.toNetworking(signal)),
    };
  }

  /**
   * The shared container watch, plus: a container started behind the driver's back (`podman
   * start`) gets its bridge port isolated like one the driver starts.
   */
  #watchAdapter(): EventStreamAdapter<ContainerEvent> {
    const { engine, logger } = this.#deps;
    // libpod ORs label filters on events, so one: managed by us (ContainerEvents checks the gateway id).
    const shared = new ContainerWatchAdapter(engine, this.#inventory, this.#events, [`${SANDBOX_LABEL_KEYS.managedBy}=${MANAGED_BY_VALUE}`]);
    return {
      open: (signal) => shared.open(signal),
      list: (signal) => shared.list(signal),
      describeEvent: (event) => shared.describeEvent(event),
      toChanges: (event, signal) => {
        if (event.action === 'start' && this.#inventory.ownedSandboxId(event.labels) !== undefined) {
          this.#network.isolateSandboxes(this.#lifetime.signal).catch((error: unknown) => logger.error('could not isolate a started sandbox from the others', { containerId: event.containerId, error }));
        }
        return shared.toChanges(event, signal);
      },
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
