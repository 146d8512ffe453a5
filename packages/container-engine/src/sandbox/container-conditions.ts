import {
  TerminalReason,
  TransientReason,
  backendNotReady,
  backendReady,
  setCondition,
  suspendedCondition,
} from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox, DriverSandboxStatus, SandboxOwnership } from '@shellgate/driver-sdk';

import type { ContainerInfo } from '../payload/container-info.js';
import { ContainerState } from '../payload/container-info.js';

/** Reasons the container drivers use besides the SDK's shared ones. */
export const ContainerReason = {
  /** `Suspended=True` for a container the driver stopped on request. */
  StoppedByDriver: 'Stopped',
  /** `Suspended=True` for a paused container (someone ran `docker pause` / `podman pause`). */
  Paused: 'Paused',
  /** `Ready=False` while suspended: not running, and not a failure. */
  NotRunning: 'NotRunning',
} as const;

function describeExit(info: ContainerInfo): string {
  const oom = info.isOomKilled ? ' (killed: out of memory)' : '';
  const error = info.error === '' ? '' : `: ${info.error}`;
  return `container exited with code ${info.exitCode}${oom}${error}`;
}

function stoppedConditions(now: Date | undefined): DriverCondition[] {
  return [
    backendNotReady(ContainerReason.NotRunning, 'stopped by the driver', now),
    suspendedCondition(true, ContainerReason.StoppedByDriver, 'stopped on request; the container and its files are kept', now),
  ];
}

/** Ready and Suspended for one container state; `isStoppedByUs` turns an exit into Stopped. */
export function toContainerConditions(info: ContainerInfo, isStoppedByUs: boolean, now?: Date): DriverCondition[] {
  const notSuspended = suspendedCondition(false, undefined, '', now);
  switch (info.state) {
    case ContainerState.Running:
      return [backendReady(undefined, '', now), notSuspended];
    case ContainerState.Created:
      if (isStoppedByUs) return stoppedConditions(now);
      return [backendNotReady(TransientReason.ContainerCreated, 'container created, not started yet', now), notSuspended];
    case ContainerState.Restarting:
      return [backendNotReady(TransientReason.Starting, 'container is restarting', now), notSuspended];
    case ContainerState.Paused:
      return [
        backendNotReady(ContainerReason.NotRunning, 'container is paused', now),
        suspendedCondition(true, ContainerReason.Paused, 'container is paused', now),
      ];
    case ContainerState.Exited:
      if (isStoppedByUs) return stoppedConditions(now);
      return [backendNotReady(TerminalReason.ContainerExited, describeExit(info), now), notSuspended];
    case ContainerState.Dead:
      return [backendNotReady(TerminalReason.ContainerExited, `container is dead${info.error === '' ? '' : `: ${info.error}`}`, now), notSuspended];
    case ContainerState.Removing:
      return [backendNotReady(ContainerReason.NotRunning, 'container is being removed', now), notSuspended];
    default:
      return [backendNotReady(TransientReason.InspectFailed, `unknown container state ${JSON.stringify(info.state)}`, now), notSuspended];
  }
}

/**
 * The sandbox a container stands for: who it is from `owner` (read from its labels by the
 * driver, in the vocabularies it knows), with status conditions for its state. `previous`
 * conditions keep their transition times when nothing changed. The spec is never echoed:
 * the gateway owns it, and it would carry the token.
 */
export function toContainerSandbox(
  info: ContainerInfo,
  owner: SandboxOwnership | undefined,
  isStoppedByUs: boolean,
  previous: readonly DriverCondition[] = [],
): DriverSandbox {
  const conditions = toContainerConditions(info, isStoppedByUs).reduce(setCondition, [...previous]);
  const status: DriverSandboxStatus = {
    sandboxName: owner?.sandboxName ?? '',
    instanceId: info.id,
    agentFd: '',
    sandboxFd: '',
    conditions,
    deleting: info.state === ContainerState.Removing,
  };
  return {
    id: owner?.sandboxId ?? '',
    name: owner?.sandboxName ?? '',
    namespace: owner?.namespace ?? '',
    workspace: owner?.workspace ?? '',
    spec: undefined,
    status,
  };
}
