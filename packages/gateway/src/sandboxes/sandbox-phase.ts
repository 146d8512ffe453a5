import { SandboxPhase, type SandboxCondition } from '@shellgate/api';
import {
  ConditionStatus,
  ConditionType,
  SandboxBackendPhase,
  TransientReason,
  deriveBackendPhase,
  showsStopped,
  type DriverSandboxStatus,
} from '@shellgate/driver-sdk';
import { DesiredState } from '../store/index.js';


export interface PhaseInputs {
  /** The latest status the driver reported; undefined until the first report. */
  readonly backendStatus: DriverSandboxStatus | undefined;
  readonly previousPhase: SandboxPhase;
  /** The stored conditions: an Error keeps the ones that explained it. */
  readonly previousConditions: readonly SandboxCondition[];
  readonly desiredState: DesiredState;
  /** The gateway itself is deleting the sandbox. */
  readonly isDeleting: boolean;
  readonly hasSupervisorSession: boolean;
  /** False only for drivers configured with `requires_supervisor = false`. */
  readonly requiresSupervisor: boolean;
  /**
   * A stop or start was requested and the driver has not yet reported its outcome (see
   * {@link showsPowerChange}): its reports still describe the sandbox before the request (the
   * failed run an operator restarts, whose exit may even arrive after the start request), so
   * they decide nothing and the stored conditions stay.
   */
  readonly isBackendStale: boolean;
  /**
   * The gateway's own lifecycle is stopping the sandbox for a shutdown: the desired state
   * stays running (the next start runs it again), yet a stop report is the stop.
   */
  readonly isShutdownStop?: boolean;
}

export interface PhaseDecision {
  readonly phase: SandboxPhase;
  /** The backend conditions, with Ready rewritten when the gateway decides differently. */
  readonly conditions: SandboxCondition[];
}

/**
 * The public phase, layered on the driver-reported backend phase (SDK `deriveBackendPhase`):
 * Error is sticky, and so are the conditions that explained it, until an operator stops or
 * starts the sandbox; Stopping/Starting cover the time between a user's stop/start and the
 * backend catching up; backend Ready is only Ready
 * with a live supervisor session (otherwise Provisioning with reason SupervisorNotConnected,
 * or DependenciesNotReady once a session that made it Ready is lost).
 */
export function decideSandboxPhase(inputs: PhaseInputs, now: Date = new Date()): PhaseDecision {
  const conditions = (inputs.isBackendStale ? inputs.previousConditions : inputs.backendStatus?.conditions ?? []).map((c) => ({ ...c }));
  if (inputs.isDeleting) return { phase: SandboxPhase.SANDBOX_PHASE_DELETING, conditions };
  if (inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_ERROR) {
    // A later healthy report must not hide why it failed (e.g. MainProcessExited, set by the gateway).
    return { phase: SandboxPhase.SANDBOX_PHASE_ERROR, conditions: inputs.previousConditions.map((c) => ({ ...c })) };
  }
  const wasStarting = inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_STARTING;
  const isAwaitingBackend = inputs.isBackendStale || (inputs.backendStatus === undefined && isFreshPhase(inputs.previousPhase));
  // While a stop is wanted (the user's, or the gateway's at shutdown, whose Stopped outlives
  // the gateway: the next one starts it), upstream drivers' Ready=False ContainerExited is the
  // stop, not an Error.
  const isStopWanted =
    inputs.desiredState === DesiredState.Stopped || inputs.isShutdownStop === true || inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_STOPPED;
  const isStopReport = !isAwaitingBackend && isStopWanted && showsStopped(inputs.backendStatus);
  const backend = isAwaitingBackend
    ? SandboxBackendPhase.Provisioning
    : isStopReport
      ? SandboxBackendPhase.Stopped
      : deriveBackendPhase(inputs.backendStatus);
  const phase = (p: SandboxPhase): PhaseDecision => ({ phase: p, conditions });

  switch (backend) {
    case SandboxBackendPhase.Deleting:
      return phase(SandboxPhase.SANDBOX_PHASE_DELETING);
    case SandboxBackendPhase.Error:
      return phase(SandboxPhase.SANDBOX_PHASE_ERROR);
    case SandboxBackendPhase.Unknown:
      return phase(SandboxPhase.SANDBOX_PHASE_UNKNOWN);
    case SandboxBackendPhase.Stopped:
      // The backend may still report the stop for a moment after a start request.
      if (inputs.desiredState === DesiredState.Running && wasStarting) return phase(SandboxPhase.SANDBOX_PHASE_STARTING);
      return phase(SandboxPhase.SANDBOX_PHASE_STOPPED);
    default:
      break;
  }
  if (inputs.desiredState === DesiredState.Stopped) return phase(SandboxPhase.SANDBOX_PHASE_STOPPING);
  const waiting = wasStarting ? SandboxPhase.SANDBOX_PHASE_STARTING : SandboxPhase.SANDBOX_PHASE_PROVISIONING;
  if (backend === SandboxBackendPhase.Provisioning) return phase(waiting);
  if (!inputs.requiresSupervisor || inputs.hasSupervisorSession) return phase(SandboxPhase.SANDBOX_PHASE_READY);
  const reason = hadSupervisorSession(inputs) ? SESSION_LOST : SUPERVISOR_NOT_CONNECTED;
  return { phase: waiting, conditions: withGatewayNotReady(conditions, reason, now) };
}

/**
 * Whether a driver report shows the outcome of a stop (`desiredState` Stopped: the backend is
 * Stopped or going away) or a start (Running: a run that is neither stopped nor failed, i.e.
 * the new one), rather than the sandbox before the request. Until one does, the driver's
 * reports are stale (PhaseInputs.isBackendStale); a new run that fails later is an Error again.
 */
export function showsPowerChange(desiredState: DesiredState, status: DriverSandboxStatus | undefined): boolean {
  const backend = deriveBackendPhase(status);
  if (desiredState === DesiredState.Stopped) return showsStopped(status) || backend === SandboxBackendPhase.Deleting;
  return backend !== SandboxBackendPhase.Stopped && backend !== SandboxBackendPhase.Error && backend !== SandboxBackendPhase.Unknown;
}

/** Why backend Ready is not Ready: the two gateway-owned Ready=False conditions. */
interface GatewayNotReady {
  readonly reason: string;
  readonly message: string;
}

const SUPERVISOR_NOT_CONNECTED: GatewayNotReady = {
  reason: TransientReason.SupervisorNotConnected,
  message: 'the backend is running; waiting for the sandbox supervisor to connect to the gateway',
};

/** Exported for tests and docs: the Ready=False message after a live session is lost. */
export const SESSION_LOST_MESSAGE = 'supervisor session lost; waiting for the sandbox supervisor to reconnect';

const SESSION_LOST: GatewayNotReady = { reason: TransientReason.DependenciesNotReady, message: SESSION_LOST_MESSAGE };

/**
 * True when a session had made the sandbox Ready: it was Ready, or it already waits for a
 * reconnect. Read from the stored status, so the answer survives a gateway restart.
 */
function hadSupervisorSession(inputs: PhaseInputs): boolean {
  if (inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_READY) return true;
  const ready = inputs.previousConditions.find((c) => c.type === ConditionType.Ready);
  return ready?.reason === SESSION_LOST.reason && ready.message === SESSION_LOST.message;
}

function isFreshPhase(previous: SandboxPhase): boolean {
  return previous === SandboxPhase.SANDBOX_PHASE_PROVISIONING || previous === SandboxPhase.SANDBOX_PHASE_UNSPECIFIED;
}

function withGatewayNotReady(conditions: SandboxCondition[], notReady: GatewayNotReady, now: Date): SandboxCondition[] {
  const index = conditions.findIndex((c) => c.type === ConditionType.Ready);
  const gatewayReady: SandboxCondition = {
    type: ConditionType.Ready,
    status: ConditionStatus.False,
    reason: notReady.reason,
    message: notReady.message,
    lastTransitionTime: now.toISOString(),
  };
  if (index === -1) return [...conditions, gatewayReady];
  return conditions.map((c, i) => (i === index ? gatewayReady : c));
}

/** Phases no later report can leave: only an operator's stop, start or delete does. */
export function isTerminalPhase(phase: SandboxPhase): boolean {
  return phase === SandboxPhase.SANDBOX_PHASE_ERROR;
}

/** "SANDBOX_PHASE_READY" → "Ready", for messages and logs. */
export function describePhase(phase: SandboxPhase): string {
  const name = SandboxPhase[phase] ?? 'SANDBOX_PHASE_UNKNOWN';
  const word = name.replace('SANDBOX_PHASE_', '').toLowerCase();
  return word.charAt(0).toUpperCase() + word.slice(1);
}
