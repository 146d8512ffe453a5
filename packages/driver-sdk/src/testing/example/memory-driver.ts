import {
  InvalidArgumentError,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
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
  readonly logger: Logger;
}

/** An example compute driver whose "sandboxes" are records in a Map. */
export function createMemoryDriver(options: MemoryDriverOptions): ComputeDriverImpl {
  const sandboxes = new Map<string, DriverSandbox>();
  const timers = new Set<NodeJS.Timeout>();
  // Copy the records: the hub reads the snapshot lazily while we keep mutating them.
  const hub = new WatchHub({ snapshot: () => structuredClone([...sandboxes.values()]), logger: options.logger });

  const find = (id: string): DriverSandbox => {
    const sandbox = sandboxes.get(id);
    if (sandbox === undefined) throw new SandboxNotFoundError(id);
    return sandbox;
  };
  const update = (sandbox: DriverSandbox, ...changes: DriverCondition[]): void => {
    const conditions = changes.reduce(setCondition, sandbox.status?.conditions ?? []);
    const instanceId = `mem-${sandbox.id}`;
    sandbox.status = { sandboxName: sandbox.name, instanceId, agentFd: '', sandboxFd: '', conditions, deleting: false };
    hub.publishSandbox(sandbox);
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
    createSandbox: (request) => {
      const sandbox = structuredClone(validate(request.sandbox));
      if (sandboxes.has(sandbox.id)) throw new SandboxAlreadyExistsError(sandbox.id);
      // A real driver hands the token to the sandbox as a 0600 file; never echo it back.
      if (sandbox.spec !== undefined) sandbox.spec.sandboxToken = '';
      sandboxes.set(sandbox.id, sandbox);
      update(sandbox, backendNotReady(TransientReason.Starting, 'starting'), suspendedCondition(false));
      const event = { source: 'memory', type: 'Normal', reason: 'Stored', message: 'kept in memory', metadata: {} };
      hub.publishPlatformEvent(sandbox.id, { ...event, timestampMs: Date.now() });
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
    deleteSandbox: (request) => {
      const deleted = sandboxes.delete(request.sandboxId);
      if (deleted) hub.publishDeleted(request.sandboxId);
      return { deleted };
    },
    watchSandboxes: (_request, ctx) => hub.subscribe(ctx.signal),
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      hub.close();
    },
  };
}
