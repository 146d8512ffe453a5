import type { DriverSandboxStatus } from '../gen/compute_driver.js';
import { ConditionStatus, ConditionType, isTransientReason } from './condition-types.js';

/** The backend phase the gateway derives from a driver's status (never set by drivers). */
export const SandboxBackendPhase = {
  Unknown: 'Unknown',
  Provisioning: 'Provisioning',
  Ready: 'Ready',
  Error: 'Error',
  Stopped: 'Stopped',
  Deleting: 'Deleting',
} as const;
export type SandboxBackendPhase = (typeof SandboxBackendPhase)[keyof typeof SandboxBackendPhase];

/**
 * Derives the backend phase with the upstream OpenShell rules (ARCHITECTURE.md, Gateway:
 * Phases), in this order: no status → Unknown; `deleting` → Deleting; any `Suspended=True`
 * → Stopped; the first condition typed exactly `Ready` decides (True → Ready; False → Error,
 * or Provisioning for a transient reason; anything else → Provisioning); no Ready → Provisioning.
 * Gateway-owned readiness (supervisor session, sticky Error) is layered on top by the caller.
 */
export function deriveBackendPhase(status: DriverSandboxStatus | undefined): SandboxBackendPhase {
  if (status === undefined) return SandboxBackendPhase.Unknown;
  if (status.deleting) return SandboxBackendPhase.Deleting;
  const isSuspended = status.conditions.some(
    (condition) => condition.type === ConditionType.Suspended && condition.status === ConditionStatus.True,
  );
  if (isSuspended) return SandboxBackendPhase.Stopped;
  // Types and statuses are the canonical Kubernetes strings and compared exactly (a
  // condition typed "ready" does not count); only the reason is case-folded, per the rules.
  const ready = status.conditions.find((condition) => condition.type === ConditionType.Ready);
  if (ready === undefined) return SandboxBackendPhase.Provisioning;
  switch (ready.status) {
    case ConditionStatus.True:
      return SandboxBackendPhase.Ready;
    case ConditionStatus.False:
      return isTransientReason(ready.reason) ? SandboxBackendPhase.Provisioning : SandboxBackendPhase.Error;
    default:
      return SandboxBackendPhase.Provisioning;
  }
}

/** The Ready=False reason upstream OpenShell's drivers give for a stopped container. */
export const CONTAINER_EXITED_REASON = 'ContainerExited';

/**
 * Whether a status proves a requested stop, with upstream's rule: `Suspended=True`, or
 * `Ready=False` reason `ContainerExited` (upstream drivers never set Suspended; its gateway
 * accepts the exit as the stop while one is in progress). Only meaningful after a stop was
 * asked for: otherwise a container that exited is an Error.
 */
export function showsStopped(status: DriverSandboxStatus | undefined): boolean {
  const backend = deriveBackendPhase(status);
  if (backend === SandboxBackendPhase.Stopped) return true;
  const ready = status?.conditions.find((condition) => condition.type === ConditionType.Ready);
  return backend === SandboxBackendPhase.Error && ready?.reason.toLowerCase() === CONTAINER_EXITED_REASON.toLowerCase();
}
