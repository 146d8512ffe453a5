import { TransientReason, backendNotReady, setCondition, suspendedCondition } from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox, ProvisioningFailure, SandboxRecord } from '@shellgate/driver-sdk';

/** A sandbox whose create is in flight, or failed before it had a running container. */
export interface PendingSandbox {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly workspace: string;
  conditions: DriverCondition[];
  /** Set once the container exists. */
  containerId: string;
  /** Set when the create failed for good; the sandbox stays visible until deleted. */
  failure: ProvisioningFailure | undefined;
  /**
   * A container event other than create/start (die, kill, stop...) arrived while the create
   * was in flight: the container may no longer run, so the hand-over must inspect it.
   */
  hasUnexpectedEvent: boolean;
  readonly abort: AbortController;
  /** The background create; settled once it succeeded, failed or was cancelled. */
  task: Promise<void>;
}

/** A new pending record, Ready=False Starting. */
export function toPendingSandbox(sandbox: DriverSandbox, now?: Date): PendingSandbox {
  return {
    id: sandbox.id,
    name: sandbox.name,
    namespace: sandbox.namespace,
    workspace: sandbox.workspace,
    conditions: [backendNotReady(TransientReason.Starting, 'accepted; preparing the image', now), suspendedCondition(false, undefined, '', now)],
    containerId: '',
    failure: undefined,
    hasUnexpectedEvent: false,
    abort: new AbortController(),
    task: Promise.resolve(),
  };
}

/** The record of a create that failed before a driver restart, from its state file. */
export function toFailedPendingSandbox(record: SandboxRecord & { readonly failure: ProvisioningFailure }): PendingSandbox {
  return {
    id: record.id,
    name: record.name,
    namespace: record.namespace,
    workspace: record.workspace,
    conditions: [backendNotReady(record.failure.reason, record.failure.message), suspendedCondition(false)].reduce(setCondition, []),
    containerId: '',
    failure: record.failure,
    hasUnexpectedEvent: false,
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
      instanceId: pending.containerId,
      agentFd: '',
      sandboxFd: '',
      conditions: pending.conditions.map((condition) => ({ ...condition })),
      deleting: false,
    },
  };
}
