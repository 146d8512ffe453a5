import {
  ConditionReason,
  ConditionStatus,
  ConditionType,
  ErrorCode,
  SandboxNotFoundError,
  ShellgateError,
  backendReady,
  setCondition,
  suspendedCondition,
  type DriverCallOptions,
  type DriverClient,
  type DriverSandbox,
  type DriverSandboxStatus,
  type GatewayListenerRequirement,
  type GetCapabilitiesResponse,
  type GetGatewayListenerRequirementsResponse,
  type WatchSandboxesEvent,
} from '@shellgate/driver-sdk';

/** The unary RPCs of {@link DriverClient}, as the fake records them. */
export type FakeDriverMethod =
  | 'getCapabilities'
  | 'getGatewayListenerRequirements'
  | 'validateSandboxCreate'
  | 'createSandbox'
  | 'getSandbox'
  | 'listSandboxes'
  | 'stopSandbox'
  | 'startSandbox'
  | 'deleteSandbox'
  | 'ensureWorkspace'
  | 'deleteWorkspace';

/** One recorded call: the method and its main argument (sandbox id, workspace or sandbox). */
export interface FakeDriverCall {
  readonly method: FakeDriverMethod;
  readonly sandboxId: string | undefined;
  readonly workspace: string | undefined;
  readonly sandbox: DriverSandbox | undefined;
}

/** A call held open by {@link FakeDriverClient.hold} until the test releases it. */
export interface HeldCalls {
  /** Calls of the method currently waiting. */
  readonly waiting: number;
  /** Most calls that waited at the same time. */
  readonly maxWaiting: number;
  /** Lets every waiting call (and every later one) proceed. */
  release(): void;
}

/** A backend status with no conditions: the driver is still creating the sandbox. */
export function provisioningStatus(): DriverSandboxStatus {
  return { sandboxName: '', instanceId: '', agentFd: '', sandboxFd: '', conditions: [], deleting: false };
}

/** A backend status that says Ready=True (the gateway still waits for the supervisor). */
export function backendReadyStatus(instanceId = 'instance-1'): DriverSandboxStatus {
  return { ...provisioningStatus(), instanceId, conditions: [backendReady(ConditionReason.Running, '', new Date(0))] };
}

/** A backend status with Ready=False and `reason` (transient reasons stay Provisioning). */
export function backendNotReadyStatus(reason: string, message = ''): DriverSandboxStatus {
  return {
    ...provisioningStatus(),
    conditions: [{ type: ConditionType.Ready, status: ConditionStatus.False, reason, message, lastTransitionTime: new Date(0).toISOString() }],
  };
}

/** A backend status with Suspended=True: the sandbox is stopped. */
export function backendStoppedStatus(): DriverSandboxStatus {
  return { ...provisioningStatus(), conditions: [suspendedCondition(true, ConditionReason.Stopped, '', new Date(0))] };
}

class FakeWatchStream {
  private readonly queue: WatchSandboxesEvent[] = [];
  private ending: { error: Error | undefined } | undefined;
  private wake: (() => void) | undefined;

  push(event: WatchSandboxesEvent): void {
    this.queue.push(event);
    this.wake?.();
  }

  end(error?: Error): void {
    this.ending = { error };
    this.wake?.();
  }

  /** Like the SDK client: aborting the signal ends the stream quietly. */
  async *iterate(signal: AbortSignal | undefined): AsyncGenerator<WatchSandboxesEvent, void, undefined> {
    const onAbort = (): void => this.wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted === true) return;
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.ending !== undefined) {
          if (this.ending.error !== undefined) throw this.ending.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * An in-memory {@link DriverClient}: a map of backend sandboxes, every call recorded, errors
 * injectable per method, calls holdable, and a controllable watch stream that starts with a
 * snapshot like a real driver's. Backend changes made through the client (create, stop,
 * start, delete) or {@link setStatus} are pushed to every open watch.
 */
export class FakeDriverClient implements DriverClient {
  readonly socketPath: string;
  readonly calls: FakeDriverCall[] = [];
  /** The backend: sandboxes by id. Tests may read it; change it through the methods below. */
  readonly backend = new Map<string, DriverSandbox>();
  listenerRequirements: GatewayListenerRequirement[] = [];
  /** Status a created sandbox starts with. */
  statusOnCreate: () => DriverSandboxStatus = provisioningStatus;
  /** Status of a sandbox after StartSandbox. */
  statusOnStart: () => DriverSandboxStatus = backendReadyStatus;
  /** Number of watch streams opened so far. */
  watchOpens = 0;
  private readonly openStreams = new Set<FakeWatchStream>();
  private readonly oneShotFailures = new Map<FakeDriverMethod, Error[]>();
  private readonly persistentFailures = new Map<FakeDriverMethod, Error>();
  private readonly holds = new Map<FakeDriverMethod, { gate: Promise<void>; release: () => void; waiting: number; maxWaiting: number }>();
  private readonly watchers = new Set<() => void>();

  constructor(readonly capabilities: GetCapabilitiesResponse) {
    this.socketPath = `/fake/${capabilities.driverName}.sock`;
  }

  // ── Test controls ──

  /** The next call of `method` fails with `error` (queued: several calls queue several failures). */
  failNext(method: FakeDriverMethod, error: Error = unavailable(method)): void {
    const queue = this.oneShotFailures.get(method) ?? [];
    queue.push(error);
    this.oneShotFailures.set(method, queue);
  }

  /** Every call of `method` fails with `error` until {@link clearFailures}. */
  failAlways(method: FakeDriverMethod, error: Error = unavailable(method)): void {
    this.persistentFailures.set(method, error);
  }

  clearFailures(): void {
    this.oneShotFailures.clear();
    this.persistentFailures.clear();
  }

  /** Calls of `method` wait from now on until the returned handle is released. */
  hold(method: FakeDriverMethod): HeldCalls {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entry = { gate, release, waiting: 0, maxWaiting: 0 };
    this.holds.set(method, entry);
    return {
      get waiting() {
        return entry.waiting;
      },
      get maxWaiting() {
        return entry.maxWaiting;
      },
      release: () => {
        this.holds.delete(method);
        entry.release();
      },
    };
  }

  callsTo(method: FakeDriverMethod): FakeDriverCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves once `predicate` holds; re-checked after every call and watch change. */
  async waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        this.watchers.delete(check);
        resolve();
      };
      this.watchers.add(check);
    });
  }

  get openWatchCount(): number {
    return this.openStreams.size;
  }

  /** Puts a sandbox into the backend (or replaces it) and tells open watches. */
  putSandbox(sandbox: DriverSandbox): void {
    this.backend.set(sandbox.id, sandbox);
    this.emit({ payload: { $case: 'sandbox', sandbox: { sandbox } } });
  }

  /** Changes a backend sandbox's status and tells open watches. */
  setStatus(sandboxId: string, status: DriverSandboxStatus): void {
    const current = this.backend.get(sandboxId);
    if (current === undefined) throw new Error(`fake driver has no sandbox ${sandboxId}`);
    this.putSandbox({ ...current, status });
  }

  /** Drops a sandbox from the backend without telling anyone (a watch that missed it). */
  loseSandbox(sandboxId: string): void {
    this.backend.delete(sandboxId);
  }

  /** Sends an event to every open watch stream. */
  emit(event: WatchSandboxesEvent): void {
    for (const stream of this.openStreams) stream.push(event);
    this.notify();
  }

  /** Ends every open watch stream: quietly, or with `error`. */
  endWatches(error?: Error): void {
    for (const stream of this.openStreams) stream.end(error);
  }

  // ── DriverClient ──

  async getCapabilities(_options?: DriverCallOptions): Promise<GetCapabilitiesResponse> {
    await this.enter('getCapabilities', {});
    return { ...this.capabilities };
  }

  async getGatewayListenerRequirements(_options?: DriverCallOptions): Promise<GetGatewayListenerRequirementsResponse> {
    await this.enter('getGatewayListenerRequirements', {});
    return { requirements: [...this.listenerRequirements] };
  }

  async validateSandboxCreate(sandbox: DriverSandbox, _options?: DriverCallOptions): Promise<void> {
    await this.enter('validateSandboxCreate', { sandbox, sandboxId: sandbox.id });
  }

  async createSandbox(sandbox: DriverSandbox, _options?: DriverCallOptions): Promise<void> {
    await this.enter('createSandbox', { sandbox, sandboxId: sandbox.id });
    if (this.backend.has(sandbox.id)) throw new ShellgateError(ErrorCode.AlreadyExists, `sandbox ${sandbox.id} already exists`);
    this.putSandbox({ ...sandbox, status: this.statusOnCreate() });
  }

  async getSandbox(sandboxId: string, _options?: DriverCallOptions): Promise<DriverSandbox> {
    await this.enter('getSandbox', { sandboxId });
    const sandbox = this.backend.get(sandboxId);
    if (sandbox === undefined) throw new SandboxNotFoundError(sandboxId);
    return sandbox;
  }

  async listSandboxes(_options?: DriverCallOptions): Promise<DriverSandbox[]> {
    await this.enter('listSandboxes', {});
    return [...this.backend.values()];
  }

  async stopSandbox(sandboxId: string, _options?: DriverCallOptions): Promise<void> {
    await this.enter('stopSandbox', { sandboxId });
    const sandbox = this.backend.get(sandboxId);
    if (sandbox === undefined) throw new SandboxNotFoundError(sandboxId);
    const conditions = setCondition(sandbox.status?.conditions ?? [], suspendedCondition(true, ConditionReason.Stopped, '', new Date(0)));
    this.putSandbox({ ...sandbox, status: { ...(sandbox.status ?? provisioningStatus()), conditions } });
  }

  async startSandbox(sandboxId: string, _options?: DriverCallOptions): Promise<void> {
    await this.enter('startSandbox', { sandboxId });
    const sandbox = this.backend.get(sandboxId);
    if (sandbox === undefined) throw new SandboxNotFoundError(sandboxId);
    this.putSandbox({ ...sandbox, status: this.statusOnStart() });
  }

  async deleteSandbox(sandboxId: string, _options?: DriverCallOptions): Promise<boolean> {
    await this.enter('deleteSandbox', { sandboxId });
    const existed = this.backend.delete(sandboxId);
    if (existed) this.emit({ payload: { $case: 'deleted', deleted: { sandboxId } } });
    return existed;
  }

  async ensureWorkspace(workspace: string, _options?: DriverCallOptions): Promise<void> {
    await this.enter('ensureWorkspace', { workspace });
  }

  async deleteWorkspace(workspace: string, _options?: DriverCallOptions): Promise<void> {
    await this.enter('deleteWorkspace', { workspace });
  }

  watchSandboxes(signal?: AbortSignal): AsyncIterable<WatchSandboxesEvent> {
    const stream = new FakeWatchStream();
    for (const sandbox of this.backend.values()) stream.push({ payload: { $case: 'sandbox', sandbox: { sandbox } } });
    this.openStreams.add(stream);
    this.watchOpens += 1;
    this.notify();
    const streams = this.openStreams;
    const notify = (): void => this.notify();
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* stream.iterate(signal);
        } finally {
          streams.delete(stream);
          notify();
        }
      },
    };
  }

  async close(): Promise<void> {
    this.endWatches();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async enter(method: FakeDriverMethod, args: Omit<Partial<FakeDriverCall>, 'method'>): Promise<void> {
    this.calls.push({ method, sandboxId: args.sandboxId, workspace: args.workspace, sandbox: args.sandbox });
    this.notify();
    const held = this.holds.get(method);
    if (held !== undefined) {
      held.waiting += 1;
      held.maxWaiting = Math.max(held.maxWaiting, held.waiting);
      this.notify();
      await held.gate;
      held.waiting -= 1;
    }
    const queued = this.oneShotFailures.get(method);
    const next = queued?.shift();
    if (next !== undefined) throw next;
    const always = this.persistentFailures.get(method);
    if (always !== undefined) throw always;
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }
}

function unavailable(method: string): ShellgateError {
  return new ShellgateError(ErrorCode.Unavailable, `fake driver: ${method} failed (injected)`);
}
