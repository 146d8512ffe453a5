import {
  EventStreamWatchSource,
  FailedPreconditionError,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  SandboxTracker,
  WatchHub,
  abortableSleep,
  quoteValue,
  validateWorkspaceName,
} from '@shellgate/driver-sdk';
import type {
  CallContext,
  ComputeDriverImpl,
  CreateSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  DriverSandbox,
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
import type { V1Pod } from '@kubernetes/client-node';

import type { KubeApi } from './cluster/kube-api.js';
import { isKubeStatus } from './cluster/kube-status.js';
import { toDriverError } from './errors.js';
import { canBindAddress, toListenerRequirements } from './listener-requirement.js';
import { parseK8sDriverOptions } from './pod/driver-config.js';
import type { K8sDriverOptions } from './pod/driver-config.js';
import { toSandboxObjectNames } from './pod/sandbox-names.js';
import { toSandboxPod } from './pod/sandbox-pod.js';
import type { PodDefaults } from './pod/sandbox-pod.js';
import { STOPPED_ANNOTATION, decodeSandboxRecord, toSandboxSecret } from './pod/sandbox-record.js';
import { SandboxInventory } from './sandbox-inventory.js';
import { deleteClaimIfAllowed, ensureIsolationPolicy, ensureSandboxClaim } from './sandbox-objects.js';
import type { SandboxObjects, SandboxRef } from './sandbox-inventory.js';
import type { K8sDriverSettings } from './settings.js';
import { validateK8sSandbox } from './validate-sandbox.js';
import { KubeWatchStream } from './watch/kube-watch-stream.js';
import type { KubeStreamItem } from './watch/kube-watch-stream.js';
import { PodWatchAdapter } from './watch/pod-watch-adapter.js';
import { DRIVER_NAME, DRIVER_VERSION } from './version.js';

/** Everything the driver touches, injected (STYLE.md rule 15). */
export interface K8sDriverDeps {
  readonly api: KubeApi;
  readonly settings: K8sDriverSettings;
  readonly logger: Logger;
  /** Epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** Between watch reconnects and pod-gone polls; a real timer by default. */
  readonly sleep?: Sleep;
  /** Whether an address is this machine's, for the listener requirement; a bind test by default. */
  readonly isLocalAddress?: (host: string) => Promise<boolean>;
}

/** How often a stop or start looks whether a deleted pod is gone. */
const POD_GONE_POLL_MS = 250;
/** Beyond the pod's grace period: how long the kubelet may take to confirm a deletion. */
const POD_GONE_SLACK_MS = 30_000;

/** The Kubernetes compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`. */
export class K8sDriver implements ComputeDriverImpl {
  readonly #deps: K8sDriverDeps;
  readonly #hub: WatchHub;
  readonly #tracker: SandboxTracker;
  readonly #inventory: SandboxInventory;
  readonly #watcher: EventStreamWatchSource<KubeStreamItem>;
  readonly #lifetime = new AbortController();
  readonly #now: () => number;
  readonly #sleep: Sleep;

  constructor(deps: K8sDriverDeps) {
    this.#deps = deps;
    const { api, settings, logger } = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? abortableSleep;
    this.#hub = new WatchHub({ snapshot: () => this.#inventory.listAll(this.#lifetime.signal), logger });
    this.#tracker = new SandboxTracker(this.#hub);
    this.#inventory = new SandboxInventory({
      api,
      gatewayId: settings.gatewayId,
      conditionOptions: () => ({ nowMs: this.#now(), imagePullFailureMs: settings.imagePullFailureMs }),
      previousConditions: (id) => this.#tracker.previousConditions(id),
    });
    const stream = new KubeWatchStream({ api, podSelector: this.#inventory.selector, logger, sleep: this.#sleep });
    const adapter = new PodWatchAdapter({ api, inventory: this.#inventory, stream, now: this.#now });
    this.#watcher = new EventStreamWatchSource({ adapter, tracker: this.#tracker, logger, sleep: this.#sleep });
  }

  /** Makes sure the isolation policy exists, and starts the informer. */
  async start(): Promise<void> {
    const { api, settings } = this.#deps;
    if (settings.hasNetworkPolicy) await this.#call('ensure the sandbox network policy', undefined, () => ensureIsolationPolicy(api, settings.gatewayId, this.#lifetime.signal));
    this.#watcher.start();
  }

  /** Times the watch was opened (for tests and diagnostics). */
  get watchConnections(): number {
    return this.#watcher.connections;
  }

  getCapabilities(): GetCapabilitiesResponse {
    return { driverName: DRIVER_NAME, driverVersion: DRIVER_VERSION, defaultImage: this.#deps.settings.defaultImage, gatewayManagesLifecycle: true };
  }

  async getGatewayListenerRequirements(): Promise<GetGatewayListenerRequirementsResponse> {
    const { settings, isLocalAddress } = this.#deps;
    if (settings.gatewayEndpoint === '') return { requirements: [] };
    return { requirements: await toListenerRequirements(settings.gatewayEndpoint, isLocalAddress ?? canBindAddress) };
  }

  validateSandboxCreate(request: ValidateSandboxCreateRequest): void {
    validateK8sSandbox(request.sandbox);
  }

  async createSandbox(request: CreateSandboxRequest, ctx: CallContext): Promise<void> {
    const { sandbox, options } = validateK8sSandbox(request.sandbox);
    const { api, settings, logger } = this.#deps;
    const names = toSandboxObjectNames(sandbox);
    const existing = await this.#call('look for the sandbox', sandbox.id, () => this.#inventory.find({ sandboxId: sandbox.id, sandboxName: '' }, ctx.signal));
    if (existing !== undefined) throw new SandboxAlreadyExistsError(sandbox.id);
    try {
      await api.createSecret(toSandboxSecret(sandbox, settings.gatewayId), ctx.signal);
    } catch (error) {
      if (isKubeStatus(error, 409)) throw new SandboxAlreadyExistsError(sandbox.id);
      throw toDriverError(error, { operation: `create secret ${names.secret}`, server: api.server, sandboxId: sandbox.id });
    }
    // From here on only the Secret holds the token.
    const copy = structuredClone(sandbox);
    if (copy.spec !== undefined) copy.spec.sandboxToken = '';
    let pod: V1Pod;
    try {
      pod = await this.#createPod(copy, options, ctx.signal);
    } catch (error) {
      await this.#removeObjects(copy, { gracePeriodSeconds: 0 }, this.#lifetime.signal).catch((cleanupError: unknown) => logger.warn('could not clean up after a failed create', { sandboxId: sandbox.id, error: cleanupError }));
      throw error;
    }
    this.#tracker.revive(sandbox.id);
    this.#publish({ owner: this.#ownerOf(sandbox), secret: undefined, pod });
    logger.info('sandbox created', { sandboxId: sandbox.id, sandboxName: sandbox.name, pod: names.pod });
  }

  async getSandbox(request: SandboxRef, ctx: CallContext): Promise<GetSandboxResponse> {
    const objects = await this.#find(request, ctx.signal);
    return { sandbox: this.#inventory.toSandbox(objects) };
  }

  async listSandboxes(_request: unknown, ctx: CallContext): Promise<ListSandboxesResponse> {
    return { sandboxes: await this.#call('list sandboxes', undefined, () => this.#inventory.listAll(ctx.signal)) };
  }

  /** Deletes the pod (SIGTERM, then SIGKILL after stop_grace_seconds) and keeps the Secret and claim. */
  async stopSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const objects = await this.#find(request, ctx.signal);
    const { api, settings } = this.#deps;
    const { sandboxId } = objects.owner;
    const name = this.#namesOf(objects).pod;
    if (objects.secret !== undefined) await this.#call(`mark secret ${name} stopped`, sandboxId, () => api.annotateSecret(name, { [STOPPED_ANNOTATION]: 'true' }, ctx.signal));
    if (objects.pod !== undefined) {
      await this.#call(`delete pod ${name}`, sandboxId, () => api.deletePod(name, settings.stopGraceSeconds, ctx.signal));
      await this.#waitForPodGone(name, sandboxId, settings.stopGraceSeconds, ctx.signal);
    }
    if (objects.secret === undefined) {
      this.#tracker.publishDeleted(sandboxId, true);
      return;
    }
    const metadata = objects.secret.metadata ?? {};
    const marked = { ...objects.secret, metadata: { ...metadata, annotations: { ...metadata.annotations, [STOPPED_ANNOTATION]: 'true' } } };
    this.#publish({ ...objects, secret: marked, pod: undefined });
    this.#deps.logger.info('sandbox stopped', { sandboxId });
  }

  /** Recreates the pod from the sandbox's record (a no-op while one runs). */
  async startSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const objects = await this.#find(request, ctx.signal);
    const { api } = this.#deps;
    const { sandboxId } = objects.owner;
    const name = this.#namesOf(objects).pod;
    if (objects.pod !== undefined && objects.pod.metadata?.deletionTimestamp === undefined) return;
    const record = objects.secret === undefined ? undefined : decodeSandboxRecord(objects.secret);
    if (record === undefined) {
      throw new FailedPreconditionError(`sandbox ${quoteValue(sandboxId)} has no readable record (secret ${name}) to start from`, { hint: 'delete the sandbox and create it again' });
    }
    if (objects.pod !== undefined) await this.#waitForPodGone(name, sandboxId, this.#deps.settings.stopGraceSeconds, ctx.signal);
    const pod = await this.#createPod(record.sandbox, parseK8sDriverOptions(record.sandbox.spec?.template?.driverConfig), ctx.signal);
    if (record.isStopped) await this.#call(`clear the stopped mark of secret ${name}`, sandboxId, () => api.annotateSecret(name, { [STOPPED_ANNOTATION]: null }, ctx.signal));
    this.#publish({ owner: objects.owner, secret: undefined, pod });
    this.#deps.logger.info('sandbox started', { sandboxId });
  }

  async deleteSandbox(request: SandboxRef, ctx: CallContext): Promise<DeleteSandboxResponse> {
    const objects = await this.#call('look for the sandbox', request.sandboxId || undefined, () => this.#inventory.find(request, ctx.signal));
    if (objects === undefined) return { deleted: false };
    const { owner } = objects;
    const deleted = await this.#removeObjects({ id: owner.sandboxId, name: owner.sandboxName, workspace: owner.workspace }, { gracePeriodSeconds: 0 }, ctx.signal);
    this.#tracker.publishDeleted(owner.sandboxId, true);
    this.#deps.logger.info('sandbox deleted', { sandboxId: owner.sandboxId });
    return { deleted: deleted || objects.secret !== undefined || objects.pod !== undefined };
  }

  watchSandboxes(_request: unknown, ctx: CallContext): AsyncIterable<WatchSandboxesEvent> {
    return this.#hub.subscribe(ctx.signal);
  }

  /** Workspaces are labels here; there is nothing to create. */
  ensureWorkspace(request: EnsureWorkspaceRequest): void {
    validateWorkspaceName(request.workspace);
  }

  /** Refuses while sandboxes of the workspace remain; otherwise there is nothing to remove. */
  async deleteWorkspace(request: DeleteWorkspaceRequest, ctx: CallContext): Promise<void> {
    validateWorkspaceName(request.workspace);
    const remaining = await this.#call('list the sandboxes of a workspace', undefined, () => this.#inventory.listWorkspaceSecrets(request.workspace, ctx.signal));
    if (remaining.length > 0) {
      throw new FailedPreconditionError(`workspace ${quoteValue(request.workspace)} still has ${remaining.length} sandbox(es)`, { hint: 'delete the sandboxes of the workspace first' });
    }
  }

  async close(): Promise<void> {
    this.#lifetime.abort();
    await this.#watcher.close();
    this.#hub.close();
  }

  #defaults(): PodDefaults {
    const { settings } = this.#deps;
    return {
      namespace: settings.namespace,
      gatewayId: settings.gatewayId,
      defaultImage: settings.defaultImage,
      imagePullPolicy: settings.imagePullPolicy,
      gatewayEndpoint: settings.gatewayEndpoint,
      stopGraceSeconds: settings.stopGraceSeconds,
      dnsPolicy: settings.dnsPolicy,
      storageClass: settings.storageClass,
      supervisor: settings.supervisor,
      isTokenExposedToAgent: settings.isTokenExposedToAgent,
      supervisorTls: settings.supervisorTls,
    };
  }

  /** The claim (when the sandbox has a storage class), then the pod. */
  async #createPod(sandbox: DriverSandbox, options: K8sDriverOptions, signal: AbortSignal): Promise<V1Pod> {
    const { api, settings } = this.#deps;
    const names = toSandboxObjectNames(sandbox);
    const storageClass = options.storageClassName || settings.storageClass;
    if (storageClass !== undefined && storageClass !== '') {
      const size = options.storageSize || settings.storageSize;
      await this.#call(`create volume claim ${names.claim}`, sandbox.id, () => ensureSandboxClaim(api, sandbox, { storageClass, size, gatewayId: settings.gatewayId }, signal));
    }
    return this.#call(`create pod ${names.pod}`, sandbox.id, () => api.createPod(toSandboxPod(sandbox, this.#defaults(), options), signal));
  }

  /** Deletes pod, Secret and claim; whether any existed. */
  async #removeObjects(sandbox: { readonly id: string; readonly name: string; readonly workspace: string }, options: { readonly gracePeriodSeconds: number }, signal: AbortSignal): Promise<boolean> {
    const { api } = this.#deps;
    const names = toSandboxObjectNames(sandbox);
    const removed = await Promise.all([
      this.#call(`delete pod ${names.pod}`, sandbox.id, () => api.deletePod(names.pod, options.gracePeriodSeconds, signal)),
      this.#call(`delete secret ${names.secret}`, sandbox.id, () => api.deleteSecret(names.secret, signal)),
      // A Role without claims (no storage class anywhere) may not delete them: there are none.
      this.#call(`delete volume claim ${names.claim}`, sandbox.id, () => deleteClaimIfAllowed(api, names.claim, signal)),
    ]);
    return removed.some(Boolean);
  }

  /** Polls until the pod is gone, so a start can create the next one under the same name. */
  async #waitForPodGone(name: string, sandboxId: string, graceSeconds: number, signal: AbortSignal): Promise<void> {
    const deadline = this.#now() + graceSeconds * 1000 + POD_GONE_SLACK_MS;
    while ((await this.#call(`read pod ${name}`, sandboxId, () => this.#deps.api.readPod(name, signal))) !== undefined) {
      if (this.#now() > deadline) throw new FailedPreconditionError(`pod ${name} is still terminating after ${Math.round((graceSeconds * 1000 + POD_GONE_SLACK_MS) / 1000)} s`, { hint: 'check the node of the pod (kubectl describe pod); retry once it is gone' });
      await this.#sleep(POD_GONE_POLL_MS, signal);
    }
  }

  async #find(ref: SandboxRef, signal: AbortSignal): Promise<SandboxObjects> {
    const objects = await this.#call('look for the sandbox', ref.sandboxId || undefined, () => this.#inventory.find(ref, signal));
    if (objects === undefined) throw new SandboxNotFoundError(ref.sandboxId || ref.sandboxName);
    return objects;
  }

  #namesOf(objects: SandboxObjects): ReturnType<typeof toSandboxObjectNames> {
    const { owner } = objects;
    return toSandboxObjectNames({ id: owner.sandboxId, name: owner.sandboxName, workspace: owner.workspace });
  }

  #ownerOf(sandbox: DriverSandbox): SandboxObjects['owner'] {
    return { sandboxId: sandbox.id, sandboxName: sandbox.name, workspace: sandbox.workspace, namespace: sandbox.namespace, gatewayId: this.#deps.settings.gatewayId };
  }

  #publish(objects: SandboxObjects): void {
    this.#tracker.publish(this.#inventory.toSandbox(objects));
  }

  async #call<T>(operation: string, sandboxId: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toDriverError(error, { operation, server: this.#deps.api.server, ...(sandboxId === undefined ? {} : { sandboxId }) });
    }
  }
}
