import { setMaxListeners } from 'node:events';

import { EventStreamWatchSource, SandboxAlreadyExistsError, SandboxNotFoundError, SandboxTracker, WatchHub, drainInFlightCreates, toPendingDriverSandbox, validateWorkspaceName } from '@shellgate/driver-sdk';
import type {
  CallContext,
  ComputeDriverImpl,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  DriverSandbox,
  EnsureWorkspaceRequest,
  GetCapabilitiesResponse,
  GetSandboxResponse,
  LabelKeys,
  ListSandboxesResponse,
  Logger,
  SandboxFileStore,
  Sleep,
  WatchSandboxesEvent,
} from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';
import { toEngineDriverError } from '../errors.js';
import type { ContainerEvent } from '../payload/container-event.js';
import type { ContainerInfo } from '../payload/container-info.js';
import { resolveBindMounts } from './bind-mounts.js';
import { ContainerEvents } from './container-events.js';
import { ContainerInventory } from './container-inventory.js';
import type { SandboxRef } from './container-inventory.js';
import type { ContainerDriverSettings } from './container-driver-settings.js';
import type { ContainerSandboxEngine } from './container-sandbox-engine.js';
import { ContainerSandboxDeleter } from './container-sandbox-deleter.js';
import { ContainerWatchAdapter } from './container-watch-adapter.js';
import type { PendingSandbox } from './pending-sandbox.js';
import { toPendingSandbox } from './pending-sandbox.js';
import type { ContainerSpecBase, ProvisionContext } from './provision-sandbox.js';

/** How long close() lets in-flight creates finish before cancelling them. */
const CLOSE_GRACE_MS = 5000;

/** Everything a container driver touches, injected (STYLE.md rule 15); each driver names its own engine, store and settings. */
export interface ContainerDriverDeps<
  Engine extends ContainerSandboxEngine = ContainerSandboxEngine,
  Settings extends ContainerDriverSettings = ContainerDriverSettings,
  Store extends SandboxFileStore = SandboxFileStore,
> {
  readonly engine: Engine;
  readonly store: Store;
  readonly settings: Settings;
  readonly logger: Logger;
  /** Epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** Used between event-stream reconnects; a real timer by default. */
  readonly sleep?: Sleep;
}

/** Who the driver is and how its engine differs, for what {@link ContainerComputeDriver} does for it. */
export interface ContainerDriverProfile {
  /** The engine's words in errors. */
  readonly naming: EngineNaming;
  /** GetCapabilities' `driver_name`; also the `source` of the platform events. */
  readonly driverName: string;
  readonly driverVersion: string;
  /** The label vocabularies ownership is read in, the one the driver writes first. */
  readonly vocabularies: readonly LabelKeys[];
  /** Label filters of the engine's event stream (see `ContainerWatchAdapter`). */
  readonly eventFilters: readonly string[];
  /** Where the sandbox's mounts sit in `driver_config`, named in bind-mount errors. */
  readonly mountsField: string;
  /** How the busy-workspace message quotes the workspace (see `ContainerSandboxDeleter`). */
  readonly quoteWorkspace?: (workspace: string) => string;
}

/** A create the driver accepted: its pending record, and what the background task works on. */
export interface AcceptedSandbox {
  readonly pending: PendingSandbox;
  /** The sandbox without its token: the background task never holds it. */
  readonly copy: DriverSandbox;
  /** The token file to mount. */
  readonly tokenHostPath: string;
}

/** The parts of a provision context that are the same for every container driver. */
export type SharedProvisionContext = Omit<ProvisionContext<unknown, ContainerSpecBase>, 'engine' | 'ensureNetwork' | 'mounts' | 'toSpec'>;

/**
 * The RPCs every driver whose sandboxes are labelled containers answers alike (Docker,
 * Podman): reading, stopping and deleting sandboxes, the watch, workspaces as labels, and the
 * first, engine-independent half of Create. A driver extends it with validation, the network,
 * its create spec and Start, which differ per engine.
 */
export abstract class ContainerComputeDriver implements ComputeDriverImpl {
  protected readonly events: ContainerEvents;
  /** Aborts on close(): bounds background work (creates, network checks). */
  protected readonly lifetime: AbortSignal;
  readonly #deps: ContainerDriverDeps;
  readonly #profile: ContainerDriverProfile;
  readonly #hub: WatchHub;
  readonly #tracker: SandboxTracker;
  readonly #inventory: ContainerInventory;
  readonly #deleter: ContainerSandboxDeleter;
  readonly #watcher: EventStreamWatchSource<ContainerEvent>;
  readonly #lifetime = new AbortController();

  constructor(deps: ContainerDriverDeps, profile: ContainerDriverProfile) {
    this.#deps = deps;
    this.#profile = profile;
    this.lifetime = this.#lifetime.signal;
    // Every in-flight container create listens on it: 20 concurrent creates are not a leak.
    setMaxListeners(0, this.lifetime);
    const { engine, store, settings, logger } = deps;
    const { naming, quoteWorkspace } = profile;
    this.#hub = new WatchHub({ snapshot: () => this.#inventory.listAll(this.lifetime), logger });
    this.#tracker = new SandboxTracker(this.#hub);
    this.#inventory = new ContainerInventory({ engine, store, tracker: this.#tracker, gatewayId: settings.gatewayId, vocabularies: profile.vocabularies, naming });
    this.#deleter = new ContainerSandboxDeleter({ engine, inventory: this.#inventory, store, tracker: this.#tracker, logger, naming, ...(quoteWorkspace === undefined ? {} : { quoteWorkspace }) });
    this.events = new ContainerEvents({ inventory: this.#inventory, tracker: this.#tracker, store, now: deps.now ?? Date.now, eventSource: profile.driverName });
    const shared = new ContainerWatchAdapter(engine, this.#inventory, this.events, profile.eventFilters);
    this.#watcher = new EventStreamWatchSource({
      adapter: {
        open: (signal) => shared.open(signal),
        list: (signal) => shared.list(signal),
        describeEvent: (event) => shared.describeEvent(event),
        toChanges: (event, signal) => {
          if (event.action === 'start' && this.#inventory.ownedSandboxId(event.labels) !== undefined) this.onSandboxContainerStarted(event);
          return shared.toChanges(event, signal);
        },
      },
      tracker: this.#tracker,
      logger,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
  }

  /** Times the engine's event stream was opened (for tests and diagnostics). */
  get eventConnections(): number {
    return this.#watcher.connections;
  }

  /**
   * Called when the event stream reports that one of our containers started, whoever started
   * it (`podman start` behind the driver's back included). Nothing by default.
   */
  protected onSandboxContainerStarted(_event: ContainerEvent): void {}

  /** Prepares the state directory, restores failed creates, and starts following engine events. */
  protected async startWatching(): Promise<void> {
    await this.#deps.store.prepare();
    await this.events.restoreFailures();
    this.#watcher.start();
  }

  getCapabilities(): GetCapabilitiesResponse {
    const { driverName, driverVersion } = this.#profile;
    return { driverName, driverVersion, defaultImage: this.#deps.settings.defaultImage, gatewayManagesLifecycle: true };
  }

  /**
   * Create's first half, the same on every engine: records the sandbox as pending, refuses an
   * id in use, writes its token and state, and publishes it as Starting.
   * @throws SandboxAlreadyExistsError when the id is pending or has a container.
   */
  protected async acceptSandbox(sandbox: DriverSandbox, signal: AbortSignal): Promise<AcceptedSandbox> {
    const { store, logger } = this.#deps;
    if (this.#inventory.pending.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
    const pending = toPendingSandbox(sandbox);
    this.#inventory.pending.set(sandbox.id, pending);
    let tokenHostPath: string;
    try {
      const existing = await this.#inventory.findContainerIds({ sandboxId: sandbox.id, sandboxName: '' }, signal);
      if (existing.length > 0) throw new SandboxAlreadyExistsError(sandbox.id);
      tokenHostPath = await store.writeToken(sandbox.id, sandbox.spec?.sandboxToken ?? '');
      await store.writeState({ id: sandbox.id, name: sandbox.name, namespace: sandbox.namespace, workspace: sandbox.workspace, isStoppedByUs: false });
    } catch (error) {
      this.#inventory.pending.delete(sandbox.id);
      throw toEngineDriverError(error, { operation: 'prepare sandbox files', sandboxId: sandbox.id }, this.#profile.naming);
    }
    // From here on the background task works on a copy without the token.
    const copy = structuredClone(sandbox);
    if (copy.spec !== undefined) copy.spec.sandboxToken = '';
    this.#tracker.revive(sandbox.id);
    this.#tracker.publish(toPendingDriverSandbox(pending));
    logger.info('sandbox accepted', { sandboxId: sandbox.id, sandboxName: sandbox.name });
    return { pending, copy, tokenHostPath };
  }

  /** What the background create of `sandboxId` needs that does not depend on the engine. */
  protected toSharedProvisionContext(sandboxId: string): SharedProvisionContext {
    const { store, logger, settings, now } = this.#deps;
    const { mountsField } = this.#profile;
    return {
      store,
      logger: logger.child({ sandboxId }),
      defaultImage: settings.defaultImage,
      pullPolicy: settings.imagePullPolicy,
      resolveBindMounts: (mounts) => resolveBindMounts(mounts, mountsField, settings.bindMounts),
      onUpdate: (update) => this.#tracker.publish(update),
      onPlatformEvent: (id, reason, message, type) => this.events.publishPlatformEvent(id, reason, message, type),
      onStarted: (started, info) => this.events.promote(started, info, this.lifetime),
      now: now ?? Date.now,
      lifetime: this.lifetime,
    };
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
    const { engine, store, settings } = this.#deps;
    const { info, sandboxId } = await this.#inventory.requireContainer(request, ctx.signal);
    const state = await store.readState(sandboxId);
    if (state !== undefined && !state.isStoppedByUs) await store.writeState({ ...state, isStoppedByUs: true });
    await this.engineCall(`stop container ${info.id}`, sandboxId, () => engine.stopContainer(info.id, settings.stopTimeoutSeconds, ctx.signal));
    await this.events.refresh(info.id, ctx.signal);
  }

  /**
   * Start's first half: the sandbox's container (after an in-flight create), with our stop
   * marker cleared. The driver then starts it its own way and calls `events.refresh`.
   */
  protected async prepareStart(request: SandboxRef, signal: AbortSignal): Promise<{ info: ContainerInfo; sandboxId: string }> {
    const { store } = this.#deps;
    const found = await this.#inventory.requireContainer(request, signal);
    const state = await store.readState(found.sandboxId);
    if (state?.isStoppedByUs === true) await store.writeState({ ...state, isStoppedByUs: false });
    return found;
  }

  async deleteSandbox(request: SandboxRef, ctx: CallContext): Promise<DeleteSandboxResponse> {
    return this.#deleter.deleteSandbox(request, ctx.signal);
  }

  watchSandboxes(_request: unknown, ctx: CallContext): AsyncIterable<WatchSandboxesEvent> {
    return this.#hub.subscribe(ctx.signal);
  }

  /** Workspaces are labels on containers; there is nothing to create. */
  ensureWorkspace(request: EnsureWorkspaceRequest): void {
    validateWorkspaceName(request.workspace);
  }

  async deleteWorkspace(request: DeleteWorkspaceRequest, ctx: CallContext): Promise<void> {
    await this.#deleter.deleteWorkspace(request.workspace, ctx.signal);
  }

  /** Lets in-flight creates finish for a while, cancels the rest, and ends the watch. */
  async close(): Promise<void> {
    await drainInFlightCreates(this.#inventory.pending, CLOSE_GRACE_MS);
    this.#lifetime.abort();
    await this.#watcher.close();
    this.#hub.close();
  }

  /** Runs an engine call, mapping its failure in the engine's words (STYLE.md rule 8). */
  protected async engineCall<T>(operation: string, sandboxId: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toEngineDriverError(error, { operation, endpoint: this.#deps.engine.endpoint, ...(sandboxId === undefined ? {} : { sandboxId }) }, this.#profile.naming);
    }
  }
}
