/** Condition types drivers report; the gateway only reads these two. */
export const ConditionType = {
  Ready: 'Ready',
  Suspended: 'Suspended',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Kubernetes-style condition status strings, as carried in `DriverCondition.status`. */
export const ConditionStatus = {
  True: 'True',
  False: 'False',
  Unknown: 'Unknown',
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/**
 * Reasons on `Ready=False` that mean "not yet" rather than "failed": the gateway shows
 * Provisioning instead of Error. This is the upstream OpenShell list (ARCHITECTURE.md,
 * Gateway: Phases); it is matched case-insensitively because upstream drivers differ in case.
 */
export const TransientReason = {
  ReconcilerError: 'ReconcilerError',
  DependenciesNotReady: 'DependenciesNotReady',
  SupervisorNotConnected: 'SupervisorNotConnected',
  Starting: 'Starting',
  ContainerStarting: 'ContainerStarting',
  ContainerCreated: 'ContainerCreated',
  HealthcheckStarting: 'HealthcheckStarting',
  InspectFailed: 'InspectFailed',
} as const;
export type TransientReason = (typeof TransientReason)[keyof typeof TransientReason];

/** Every {@link TransientReason}, in the documented order. */
export const TRANSIENT_REASONS: readonly TransientReason[] = Object.values(TransientReason);

const TRANSIENT_REASONS_LOWER: ReadonlySet<string> = new Set(TRANSIENT_REASONS.map((reason) => reason.toLowerCase()));

/** Whether `Ready=False` with this reason is still Provisioning (case-insensitive). */
export function isTransientReason(reason: string): boolean {
  return TRANSIENT_REASONS_LOWER.has(reason.toLowerCase());
}

/**
 * Reasons first-party drivers use on `Ready=False` for failures that will not heal by
 * waiting; with any of these the gateway shows Error (and Error is sticky).
 */
export const TerminalReason = {
  ImagePullFailed: 'ImagePullFailed',
  ContainerCreateFailed: 'ContainerCreateFailed',
  ContainerStartFailed: 'ContainerStartFailed',
  ContainerExited: 'ContainerExited',
  MainProcessExited: 'MainProcessExited',
} as const;
export type TerminalReason = (typeof TerminalReason)[keyof typeof TerminalReason];

/** Reasons for `Ready=True` and `Suspended` that first-party drivers share. */
export const ConditionReason = {
  Running: 'Running',
  Stopped: 'Stopped',
  NotSuspended: 'NotSuspended',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];
