import type { DriverCondition } from '../gen/compute_driver.js';
import { ConditionReason, ConditionStatus, ConditionType } from './condition-types.js';

/** What {@link buildCondition} needs; `now` defaults to the current time. */
export interface ConditionInit {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  now?: Date;
}

/** Builds a condition with an RFC 3339 `lastTransitionTime`. */
export function buildCondition(init: ConditionInit): DriverCondition {
  return {
    type: init.type,
    status: init.status,
    reason: init.reason,
    message: init.message ?? '',
    lastTransitionTime: (init.now ?? new Date()).toISOString(),
  };
}

function toConditionStatus(isTrue: boolean): ConditionStatus {
  return isTrue ? ConditionStatus.True : ConditionStatus.False;
}

/** A `Ready` condition; with `status` false the reason decides Provisioning or Error. */
export function readyCondition(status: boolean, reason: string, message = '', now?: Date): DriverCondition {
  return buildCondition({ type: ConditionType.Ready, status: toConditionStatus(status), reason, message, now });
}

/** `Ready=True`: the backend runs the sandbox (the gateway still waits for the supervisor). */
export function backendReady(reason: string = ConditionReason.Running, message = '', now?: Date): DriverCondition {
  return readyCondition(true, reason, message, now);
}

/**
 * `Ready=False`. Use a {@link TransientReason} while things are still coming up and a
 * {@link TerminalReason} (or any other reason) for a failure.
 */
export function backendNotReady(reason: string, message: string, now?: Date): DriverCondition {
  return readyCondition(false, reason, message, now);
}

/** A `Suspended` condition; `Suspended=True` makes the gateway show Stopped. */
export function suspendedCondition(
  isSuspended: boolean,
  reason: string = isSuspended ? ConditionReason.Stopped : ConditionReason.NotSuspended,
  message = '',
  now?: Date,
): DriverCondition {
  return buildCondition({
    type: ConditionType.Suspended,
    status: toConditionStatus(isSuspended),
    reason,
    message,
    now,
  });
}

/**
 * Returns `conditions` with `next` replacing the condition of the same type (or appended).
 * Like Kubernetes meta.SetStatusCondition, the previous `lastTransitionTime` is kept when the
 * status did not change, so re-reporting the same state is not a transition.
 */
export function setCondition(conditions: readonly DriverCondition[], next: DriverCondition): DriverCondition[] {
  const index = conditions.findIndex((condition) => condition.type === next.type);
  if (index === -1) return [...conditions, next];
  const previous = conditions[index];
  const merged =
    previous !== undefined && previous.status === next.status
      ? { ...next, lastTransitionTime: previous.lastTransitionTime }
      : next;
  return conditions.map((condition, position) => (position === index ? merged : condition));
}

/** The first condition whose type is exactly `type`, if any. */
export function findCondition(conditions: readonly DriverCondition[], type: string): DriverCondition | undefined {
  return conditions.find((condition) => condition.type === type);
}
