import { TransientReason, backendNotReady, setCondition, suspendedCondition } from '../conditions/index.js';
import type { DriverCondition, DriverSandbox } from '../gen/compute_driver.js';
import type { ProvisioningFailure, SandboxRecord } from './sandbox-file-store.js';

/**
 * A sandbox whose create runs in the background, or failed before its backend object (a
 * container, a VM) first ran: what Get, List and Watch show until the backend speaks for it.
 */
export interface PendingSandbox {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly workspace: string;
  /** The backend object's id (`status.instance_id`); empty until the backend made one. */
  instanceId: string;
  conditions: DriverCondition[];
  /** Set when the create failed for good; the sandbox stays visible until deleted. */
  failure: ProvisioningFailure | undefined;
  readonly abort: AbortController;
  /** The background create; settled once it succeeded, failed or was cancelled. */
  task: Promise<void>;
}

/** A new pending record, Ready=False Starting with `message` (e.g. "accepted; preparing the image"). */
export function toPendingSandbox(sandbox: DriverSandbox, message: string, instanceId = '', now?: Date): PendingSandbox {
  return {
    id: sandbox.id,
    name: sandbox.name,
    namespace: sandbox.namespace,
    workspace: sandbox.workspace,
    instanceId,
    conditions: [backendNotReady(TransientReason.Starting, message, now), suspendedCondition(false, undefined, '', now)],
    failure: undefined,
    abort: new AbortController(),
    task: Promise.resolve(),
  };
}

/** The pending record of a create that failed before a driver restart, from its state file. */
export function toFailedPendingSandbox(record: SandboxRecord & { readonly failure: ProvisioningFailure }, instanceId = ''): PendingSandbox {
  return {
    id: record.id,
    name: record.name,
    namespace: record.namespace,
    workspace: record.workspace,
    instanceId,
    conditions: [backendNotReady(record.failure.reason, record.failure.message), suspendedCondition(false)].reduce(setCondition, []),
    failure: record.failure,
    abort: new AbortController(),
    task: Promise.resolve(),
  };
}

/** Updates the Ready condition of a pending record. */
export function setPendingReady(pending: PendingSandbox, reason: string, message: string, now?: Date): void {
  pending.conditions = setCondition(pending.conditions, backendNotReady(reason, message, now));
}

/** The sandbox as Get, List and Watch show a pending record. */
export function toPendingDriverSandbox(pending: PendingSandbox): DriverSandbox {
  return {
    id: pending.id,
    name: pending.name,
    namespace: pending.namespace,
    workspace: pending.workspace,
    spec: undefined,
    status: {
      sandboxName: pending.name,
      instanceId: pending.instanceId,
      agentFd: '',
      sandboxFd: '',
      conditions: pending.conditions.map((condition) => ({ ...condition })),
      deleting: false,
    },
  };
}
