import {
  InvalidArgumentError,
  SandboxAlreadyExistsError,
  SandboxFileStore,
  SandboxNotFoundError,
  SandboxTracker,
  TransientReason,
  WatchHub,
  backendNotReady,
  backendReady,
  setCondition,
  suspendedCondition,
  validateDriverSandbox,
} from '../../index.js';
import type { ComputeDriverImpl, DriverCondition, DriverSandbox, Logger } from '../../index.js';

export interface MemoryDriverOptions {
  /** How long a new sandbox stays Provisioning before it turns Ready, in ms. */
  readonly startDelayMs: number;
  /** Where sandbox tokens are kept as 0600 files (`resolveDriverStateDir` picks one in main). */
  readonly stateDir: string;
  readonly logger: Logger;
}

/**
 * An example compute driver whose "sandboxes" are records in a Map. It uses the driver kit
 * as a real driver would: the token as a 0600 file in the SDK's `SandboxFileStore`, and watch
 * events through a `SandboxTracker`, which publishes only changes and never resurrects a
 * deleted id.
 */
export function createMemoryDriver(options: MemoryDriverOptions): ComputeDriverImpl {
  const sandboxes = new Map<string, DriverSandbox>();
  const timers = new Set<NodeJS.Timeout>();
  const files = new SandboxFileStore(options.stateDir);
  // Copy the records: the hub reads the snapshot lazily while we keep mutating them.
  const hub = new WatchHub({ snapshot: () => structuredClone([...sandboxes.values()]), logger: options.logger });
  const tracker = new SandboxTracker(hub);

  const find = (id: string): DriverSandbox => {
    const sandbox = sandboxes.get(id);
    if (sandbox === undefined) throw new SandboxNotFoundError(id);
    return sandbox;
  };
  const update = (sandbox: DriverSandbox, ...changes: DriverCondition[]): void => {
    const conditions = changes.reduce(setCondition, sandbox.status?.conditions ?? []);
    const instanceId = `mem-${sandbox.id}`;
    sandbox.status = { sandboxName: sandbox.name, instanceId, agentFd: '', sandboxFd: '', conditions, deleting: false };
    tracker.publish(sandbox);
  };
  const validate = (sandbox: DriverSandbox | undefined): DriverSandbox => {
    if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox');
    validateDriverSandbox(sandbox);
    return sandbox;
  };

  return {
    getCapabilities: () => ({
      driverName: 'memory',
      driverVersion: '1.0.0',
      defaultImage: 'scratch',
      gatewayManagesLifecycle: false,
    }),
    validateSandboxCreate: (request) => void validate(request.sandbox),
    createSandbox: async (request) => {
      const sandbox = structuredClone(validate(request.sandbox));
      if (sandboxes.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
      // The token goes to a 0600 file a real driver would mount read-only into the sandbox;
      // the record keeps no copy, so nothing can echo it back.
      await files.writeToken(sandbox.id, sandbox.spec?.sandboxToken ?? '');
      if (sandbox.spec !== undefined) sandbox.spec.sandboxToken = '';
      tracker.revive(sandbox.id);
      sandboxes.set(sandbox.id, sandbox);
      update(sandbox, backendNotReady(TransientReason.Starting, 'starting'), suspendedCondition(false));
      const event = { source: 'memory', type: 'Normal', reason: 'Stored', message: 'kept in memory', metadata: {} };
      tracker.publishPlatformEvent(sandbox.id, { ...event, timestampMs: Date.now() });
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (sandboxes.get(sandbox.id) === sandbox) update(sandbox, backendReady());
      }, options.startDelayMs);
      timers.add(timer);
    },
    getSandbox: (request) => ({ sandbox: find(request.sandboxId) }),
    listSandboxes: () => ({ sandboxes: [...sandboxes.values()] }),
    stopSandbox: (request) => update(find(request.sandboxId), suspendedCondition(true)),
    startSandbox: (request) => update(find(request.sandboxId), suspendedCondition(false), backendReady()),
    deleteSandbox: async (request) => {
      const deleted = sandboxes.delete(request.sandboxId);
      await files.remove(request.sandboxId);
      if (deleted) tracker.publishDeleted(request.sandboxId);
      return { deleted };
    },
    watchSandboxes: (_request, ctx) => hub.subscribe(ctx.signal),
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      hub.close();
    },
  };
}
