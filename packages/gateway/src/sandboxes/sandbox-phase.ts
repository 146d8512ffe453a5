import { SandboxPhase, type SandboxCondition } from '@shellgate/api';
import {
  ConditionStatus,
  ConditionType,
  SandboxBackendPhase,
  TransientReason,
  deriveBackendPhase,
  type DriverSandboxStatus,
} from '@shellgate/driver-sdk';
import { DesiredState } from '../store/index.js';


export interface PhaseInputs {
  /** The latest status the driver reported; undefined until the first report. */
  readonly backendStatus: DriverSandboxStatus | undefined;
  readonly previousPhase: SandboxPhase;
  readonly desiredState: DesiredState;
  /** The gateway itself is deleting the sandbox. */
  readonly isDeleting: boolean;
  readonly hasSupervisorSession: boolean;
  /** False only for drivers configured with `requires_supervisor = false`. */
  readonly requiresSupervisor: boolean;
}

export interface PhaseDecision {
  readonly phase: SandboxPhase;
  /** The backend conditions, with Ready rewritten when the gateway decides differently. */
  readonly conditions: SandboxCondition[];
}

/**
 * The public phase, layered on the driver-reported backend phase (SDK `deriveBackendPhase`):
 * Error is sticky; Stopping/Starting cover the time between a user's stop/start and the
 * backend catching up; backend Ready is only Ready with a live supervisor session
 * (otherwise Provisioning with reason SupervisorNotConnected).
 */
export function decideSandboxPhase(inputs: PhaseInputs, now: Date = new Date()): PhaseDecision {
  const conditions = (inputs.backendStatus?.conditions ?? []).map((c) => ({ ...c }));
  if (inputs.isDeleting) return { phase: SandboxPhase.SANDBOX_PHASE_DELETING, conditions };
  if (inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_ERROR) {
    return { phase: SandboxPhase.SANDBOX_PHASE_ERROR, conditions };
  }
  const wasStarting = inputs.previousPhase === SandboxPhase.SANDBOX_PHASE_STARTING;
  const backend = inputs.backendStatus === undefined && isFreshPhase(inputs.previousPhase)
    ? SandboxBackendPhase.Provisioning
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
  return { phase: waiting, conditions: withSupervisorNotConnected(conditions, now) };
}

function isFreshPhase(previous: SandboxPhase): boolean {
  return previous === SandboxPhase.SANDBOX_PHASE_PROVISIONING || previous === SandboxPhase.SANDBOX_PHASE_UNSPECIFIED;
}

function withSupervisorNotConnected(conditions: SandboxCondition[], now: Date): SandboxCondition[] {
  const index = conditions.findIndex((c) => c.type === ConditionType.Ready);
  const gatewayReady: SandboxCondition = {
    type: ConditionType.Ready,
    status: ConditionStatus.False,
    reason: TransientReason.SupervisorNotConnected,
    message: 'the backend is running; waiting for the sandbox supervisor to connect to the gateway',
    lastTransitionTime: now.toISOString(),
  };
  if (index === -1) return [...conditions, gatewayReady];
  return conditions.map((c, i) => (i === index ? gatewayReady : c));
}

/** Phases no later event can leave except by delete. */
export function isTerminalPhase(phase: SandboxPhase): boolean {
  return phase === SandboxPhase.SANDBOX_PHASE_ERROR;
}

/** "SANDBOX_PHASE_READY" → "Ready", for messages and logs. */
export function describePhase(phase: SandboxPhase): string {
  const name = SandboxPhase[phase] ?? 'SANDBOX_PHASE_UNKNOWN';
  const word = name.replace('SANDBOX_PHASE_', '').toLowerCase();
  return word.charAt(0).toUpperCase() + word.slice(1);
}
