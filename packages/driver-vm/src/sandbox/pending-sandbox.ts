import { TransientReason, backendNotReady, setCondition, suspendedCondition } from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox, ProvisioningFailure, SandboxRecord } from '@shellgate/driver-sdk';

/** A sandbox whose create is in flight, or failed before its VM first booted. */
export interface PendingSandbox {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly workspace: string;
  readonly instanceId: string;
  conditions: DriverCondition[];
  /** Set when the create failed for good; the sandbox stays visible until deleted. */
  failure: ProvisioningFailure | undefined;
  readonly abort: AbortController;
  /** The background create; settled once it succeeded, failed or was cancelled. */
  task: Promise<void>;
}

/** A new pending record, Ready=False Starting. */
export function toPendingSandbox(sandbox: DriverSandbox, instanceId: string, now?: Date): PendingSandbox {
  return {
    id: sandbox.id,
    name: sandbox.name,
    namespace: sandbox.namespace,
    workspace: sandbox.workspace,
    instanceId,
    conditions: [backendNotReady(TransientReason.Starting, 'accepted; preparing the VM', now), suspendedCondition(false, undefined, '', now)],
    failure: undefined,
    abort: new AbortController(),
    task: Promise.resolve(),
  };
}

/** The pending record of a create that failed before a driver restart, from its state file. */
export function toFailedPendingSandbox(record: SandboxRecord & { readonly failure?: ProvisioningFailure }, instanceId: string): PendingSandbox {
  const pending = toPendingSandbox({ id: record.id, name: record.name, namespace: record.namespace, workspace: record.workspace, spec: undefined, status: undefined }, instanceId);
  if (record.failure !== undefined) {
    pending.failure = record.failure;
    setPendingReady(pending, record.failure.reason, record.failure.message);
  }
  return pending;
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
