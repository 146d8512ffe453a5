import {
  ConditionReason,
  ConditionStatus,
  ConditionType,
  TerminalReason,
  TransientReason,
  backendNotReady,
  backendReady,
  buildCondition,
  findCondition,
  setCondition,
  showsStopped,
  suspendedCondition,
} from '../conditions/index.js';
import { InvalidArgumentError, SandboxAlreadyExistsError } from '../errors.js';
import type {
  CreateSandboxRequest,
  DeleteSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  DriverCondition,
  DriverSandbox,
  EnsureWorkspaceRequest,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsResponse,
  GetSandboxRequest,
  GetSandboxResponse,
  ListSandboxesResponse,
  StartSandboxRequest,
  StopSandboxRequest,
  ValidateSandboxCreateRequest,
  WatchSandboxesEvent,
  WatchSandboxesRequest,
} from '../gen/compute_driver.js';
import { silentLogger } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import type { CallContext, ComputeDriverImpl } from '../server/index.js';
import { validateDriverSandbox } from '../validation/index.js';
import { WatchHub, systemTimers } from '../watch/index.js';
import type { PollingTimers } from '../watch/index.js';
import type { FakeDriverScript, ScriptedWatchEvent } from './fake-driver-script.js';
import { FakeSandboxStore } from './fake-sandbox-store.js';
import { ScriptedResponses } from './scripted-responses.js';

export interface FakeDriverOptions {
  readonly script: FakeDriverScript;
  readonly logger?: Logger;
  /** Default: real timers, unref'd. Tests pass manual ones. */
  readonly timers?: PollingTimers;
  /** Default `() => new Date()`; stamps conditions and platform events. */
  readonly now?: () => Date;
}

/**
 * A scriptable in-memory compute driver, and the reference for how a driver uses the SDK:
 * validation with `validateDriverSandbox`, state as conditions, every change through a
 * `WatchHub`, typed errors for NOT_FOUND and ALREADY_EXISTS. Its script (see
 * {@link FakeDriverScript}) injects errors, delays, watch events and listener needs.
 */
export class FakeDriver implements ComputeDriverImpl {
  readonly #script: FakeDriverScript;
  readonly #logger: Logger;
  readonly #timers: PollingTimers;
  readonly #now: () => Date;
  readonly #hub: WatchHub;
  readonly #store: FakeSandboxStore;
  readonly #responses: ScriptedResponses;
  readonly #workspaces = new Set<string>();
  /** Pending timers per sandbox id, so stop/delete can cancel a pending Ready. */
  readonly #pending = new Map<string, Set<unknown>>();

  private constructor(options: FakeDriverOptions) {
    this.#script = options.script;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'fake-driver' });
    this.#timers = options.timers ?? systemTimers;
    this.#now = options.now ?? ((): Date => new Date());
    this.#hub = new WatchHub({ snapshot: () => this.#store.list(), logger: this.#logger });
    this.#store = new FakeSandboxStore(this.#hub, options.script.stateFile, options.script.sharedStateDir);
    this.#responses = new ScriptedResponses(options.script.responses, this.#timers);
  }

  /** Builds the driver and loads its state file; sandboxes left Provisioning turn Ready again. */
  static async create(options: FakeDriverOptions): Promise<FakeDriver> {
    const driver = new FakeDriver(options);
    await driver.#store.load();
    for (const sandbox of driver.#store.list()) {
      if (!isStopped(sandbox) && findCondition(conditionsOf(sandbox), ConditionType.Ready)?.status !== 'True') {
        await driver.#scheduleReady(sandbox.id);
      }
    }
    return driver;
  }

  async getCapabilities(_request: unknown, ctx: CallContext): Promise<GetCapabilitiesResponse> {
    await this.#responses.apply('GetCapabilities', {}, ctx.signal);
    const { driverName, driverVersion, defaultImage, gatewayManagesLifecycle } = this.#script;
    return { driverName, driverVersion, defaultImage, gatewayManagesLifecycle };
  }

  async getGatewayListenerRequirements(_request: unknown, ctx: CallContext): Promise<GetGatewayListenerRequirementsResponse> {
    await this.#responses.apply('GetGatewayListenerRequirements', {}, ctx.signal);
    return { requirements: structuredClone([...this.#script.listenerRequirements]) };
  }

  async validateSandboxCreate(request: ValidateSandboxCreateRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('ValidateSandboxCreate', targetOf(request.sandbox), ctx.signal);
    requireValidSandbox(request.sandbox);
  }

  async createSandbox(request: CreateSandboxRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('CreateSandbox', targetOf(request.sandbox), ctx.signal);
    const sandbox = structuredClone(requireValidSandbox(request.sandbox));
    if (this.#store.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
    // A real driver hands the token to the sandbox as a 0600 file; it is never stored or echoed.
    if (sandbox.spec !== undefined) sandbox.spec.sandboxToken = '';
    sandbox.status = {
      sandboxName: sandbox.name,
      instanceId: `fake-${sandbox.id}`,
      agentFd: '',
      sandboxFd: '',
      conditions: [],
      deleting: false,
    };
    await this.#update(sandbox, backendNotReady(TransientReason.Starting, 'starting', this.#now()), suspendedCondition(false));
    this.#logger.info('sandbox created', { sandboxId: sandbox.id });
    await this.#scheduleReady(sandbox.id);
    for (const event of this.#script.watchEvents) {
      if (matchesEvent(event, sandbox)) this.#schedule(sandbox.id, event.delayMs, () => this.#emit(event, sandbox.id));
    }
  }

  async getSandbox(request: GetSandboxRequest, ctx: CallContext): Promise<GetSandboxResponse> {
    await this.#responses.apply('GetSandbox', this.#targetOfRequest(request), ctx.signal);
    return { sandbox: structuredClone(this.#store.find(request.sandboxId, request.sandboxName)) };
  }

  async listSandboxes(_request: unknown, ctx: CallContext): Promise<ListSandboxesResponse> {
    await this.#responses.apply('ListSandboxes', {}, ctx.signal);
    return { sandboxes: this.#store.list() };
  }

  async stopSandbox(request: StopSandboxRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('StopSandbox', this.#targetOfRequest(request), ctx.signal);
    const sandbox = structuredClone(this.#store.find(request.sandboxId, request.sandboxName));
    this.#cancelPending(sandbox.id);
    const stopped =
      this.#script.stopReportedAs === 'container_exited'
        ? backendNotReady(TerminalReason.ContainerExited, 'container exited (stopped)', this.#now())
        : suspendedCondition(true, ConditionReason.Stopped, '', this.#now());
    await this.#update(sandbox, stopped);
  }

  async startSandbox(request: StartSandboxRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('StartSandbox', this.#targetOfRequest(request), ctx.signal);
    const sandbox = structuredClone(this.#store.find(request.sandboxId, request.sandboxName));
    if (!isStopped(sandbox)) return;
    const changes = isSuspended(sandbox) ? [suspendedCondition(false, ConditionReason.NotSuspended, '', this.#now())] : [];
    // A stop reported as Ready=False ContainerExited is cleared by the start itself.
    if (this.#script.readyDelayMs > 0 || changes.length === 0) changes.push(backendNotReady(TransientReason.Starting, 'starting', this.#now()));
    await this.#update(sandbox, ...changes);
    await this.#scheduleReady(sandbox.id);
  }

  async deleteSandbox(request: DeleteSandboxRequest, ctx: CallContext): Promise<DeleteSandboxResponse> {
    await this.#responses.apply('DeleteSandbox', this.#targetOfRequest(request), ctx.signal);
    const sandboxId = request.sandboxId || this.#idForName(request.sandboxName);
    this.#cancelPending(sandboxId);
    return { deleted: await this.#store.remove(sandboxId) };
  }

  async *watchSandboxes(_request: WatchSandboxesRequest, ctx: CallContext): AsyncGenerator<WatchSandboxesEvent> {
    await this.#responses.apply('WatchSandboxes', {}, ctx.signal);
    yield* this.#hub.subscribe(ctx.signal);
  }

  async ensureWorkspace(request: EnsureWorkspaceRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('EnsureWorkspace', {}, ctx.signal);
    this.#workspaces.add(requireWorkspace(request.workspace));
  }

  async deleteWorkspace(request: DeleteWorkspaceRequest, ctx: CallContext): Promise<void> {
    await this.#responses.apply('DeleteWorkspace', {}, ctx.signal);
    this.#workspaces.delete(requireWorkspace(request.workspace));
  }

  /** Cancels timers, ends every watch stream and waits for pending state-file writes. */
  async close(): Promise<void> {
    for (const sandboxId of [...this.#pending.keys()]) this.#cancelPending(sandboxId);
    this.#hub.close();
    await this.#store.flush();
  }

  #update(sandbox: DriverSandbox, ...changes: DriverCondition[]): Promise<void> {
    if (sandbox.status !== undefined) sandbox.status.conditions = changes.reduce(setCondition, sandbox.status.conditions);
    return this.#store.put(sandbox);
  }

  /** Turns the sandbox Ready after `ready_delay_ms`; with 0, before resolving. */
  async #scheduleReady(sandboxId: string): Promise<void> {
    const markReady = async (): Promise<void> => {
      if (!this.#store.has(sandboxId)) return;
      const sandbox = structuredClone(this.#store.find(sandboxId));
      if (!isStopped(sandbox)) await this.#update(sandbox, backendReady(ConditionReason.Running, '', this.#now()));
    };
    if (this.#script.readyDelayMs === 0) await markReady();
    else this.#schedule(sandboxId, this.#script.readyDelayMs, markReady);
  }

  async #emit(event: ScriptedWatchEvent, sandboxId: string): Promise<void> {
    if (!this.#store.has(sandboxId)) return;
    if (event.kind === 'deleted') {
      this.#cancelPending(sandboxId);
      await this.#store.remove(sandboxId);
    } else if (event.kind === 'condition') {
      const status = event.status as ConditionStatus;
      const { conditionType: type, reason, message } = event;
      const condition = buildCondition({ type, status, reason, message, now: this.#now() });
      await this.#update(structuredClone(this.#store.find(sandboxId)), condition);
    } else {
      const { eventType: type, source, reason, message } = event;
      this.#hub.publishPlatformEvent(sandboxId, { timestampMs: this.#now().getTime(), source, type, reason, message, metadata: {} });
    }
  }

  #schedule(sandboxId: string, delayMs: number, action: () => Promise<void>): void {
    const handles = this.#pending.get(sandboxId) ?? new Set<unknown>();
    this.#pending.set(sandboxId, handles);
    const handle = this.#timers.setTimeout(() => {
      handles.delete(handle);
      this.#run(action);
    }, delayMs);
    handles.add(handle);
  }

  #run(action: () => Promise<void>): void {
    action().catch((error: unknown) => this.#logger.error('scheduled change failed', { error: String(error) }));
  }

  #cancelPending(sandboxId: string): void {
    for (const handle of this.#pending.get(sandboxId) ?? []) this.#timers.clearTimeout(handle);
    this.#pending.delete(sandboxId);
  }

  #targetOfRequest(request: { sandboxId: string; sandboxName: string }): { sandboxId: string; sandboxName: string } {
    const sandboxId = request.sandboxId || this.#idForName(request.sandboxName);
    const sandboxName = request.sandboxName || (this.#store.has(sandboxId) ? this.#store.find(sandboxId).name : '');
    return { sandboxId, sandboxName };
  }

  #idForName(sandboxName: string): string {
    if (sandboxName === '') return '';
    return this.#store.list().find((sandbox) => sandbox.name === sandboxName)?.id ?? '';
  }
}

function requireValidSandbox(sandbox: DriverSandbox | undefined): DriverSandbox {
  if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox', { hint: 'set the sandbox field' });
  validateDriverSandbox(sandbox);
  return sandbox;
}

function requireWorkspace(workspace: string): string {
  if (workspace === '') throw new InvalidArgumentError('workspace name must not be empty');
  return workspace;
}

function targetOf(sandbox: DriverSandbox | undefined): { sandboxId?: string; sandboxName?: string } {
  return { sandboxId: sandbox?.id, sandboxName: sandbox?.name };
}

function matchesEvent(event: ScriptedWatchEvent, sandbox: DriverSandbox): boolean {
  return (event.matchName ?? sandbox.name) === sandbox.name && (event.matchId ?? sandbox.id) === sandbox.id;
}

function conditionsOf(sandbox: DriverSandbox): readonly DriverCondition[] {
  return sandbox.status?.conditions ?? [];
}

/** Stopped in either form the driver reports (see `stop_reported_as`). */
function isStopped(sandbox: DriverSandbox): boolean {
  return showsStopped(sandbox.status);
}

function isSuspended(sandbox: DriverSandbox): boolean {
  return findCondition(conditionsOf(sandbox), ConditionType.Suspended)?.status === ConditionStatus.True;
}
