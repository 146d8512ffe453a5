import { TerminalReason, backendNotReady, backendReady, setCondition, suspendedCondition } from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox } from '@shellgate/driver-sdk';

import type { VmSandboxRecord } from '../state.js';

/** Reasons this driver uses besides the SDK's shared ones. */
export const VmReason = {
  /** `Suspended=True` for a VM the driver stopped on request. */
  StoppedByDriver: 'Stopped',
  /** `Ready=False` while suspended: not running, and not a failure. */
  NotRunning: 'NotRunning',
} as const;

/** Said of a VM that is not running and left no account of why (it ended while the driver was down). */
export const UNKNOWN_EXIT_MESSAGE = 'the VM is not running; it ended while the driver was not watching';

/** Ready and Suspended for a sandbox's VM: running, stopped by us, or ended on its own. */
export function toVmConditions(record: VmSandboxRecord, isRunning: boolean, now?: Date): DriverCondition[] {
  const notSuspended = suspendedCondition(false, undefined, '', now);
  if (isRunning) return [backendReady(undefined, '', now), notSuspended];
  if (record.isStoppedByUs) {
    return [
      backendNotReady(VmReason.NotRunning, 'stopped by the driver', now),
      suspendedCondition(true, VmReason.StoppedByDriver, 'stopped on request; the VM\'s disks are kept', now),
    ];
  }
  return [backendNotReady(TerminalReason.ContainerExited, record.lastExit?.message ?? UNKNOWN_EXIT_MESSAGE, now), notSuspended];
}

/**
 * The sandbox a state record stands for, with conditions for its VM's state. `previous`
 * conditions keep their transition times when nothing changed. The spec is never echoed:
 * the gateway owns it, and it would carry the token.
 */
export function toVmDriverSandbox(record: VmSandboxRecord, instanceId: string, isRunning: boolean, previous: readonly DriverCondition[] = []): DriverSandbox {
  return {
    id: record.id,
    name: record.name,
    namespace: record.namespace,
    workspace: record.workspace,
    spec: undefined,
    status: {
      sandboxName: record.name,
      instanceId,
      agentFd: '',
      sandboxFd: '',
      conditions: toVmConditions(record, isRunning).reduce(setCondition, [...previous]),
      deleting: false,
    },
  };
}
