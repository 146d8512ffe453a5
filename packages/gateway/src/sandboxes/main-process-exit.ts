import { SandboxPhase, type Sandbox, type SandboxCondition } from '@shellgate/api';
import { ConditionStatus, ConditionType, TerminalReason } from '@shellgate/driver-sdk';
import { DesiredState, type SandboxRecord } from '../store/index.js';

/** How the canonical process of a sandbox ended, as its supervisor reports it. */
export interface MainProcessExit {
  readonly exitCode: number;
  /** The signal that ended it ("SIGKILL"), or empty. */
  readonly signal: string;
}

/** "main process exited with code 3" / "main process was killed by SIGKILL (exit code 137)". */
export function describeMainProcessExit(exit: MainProcessExit): string {
  return exit.signal === ''
    ? `main process exited with code ${exit.exitCode}`
    : `main process was killed by ${exit.signal} (exit code ${exit.exitCode})`;
}

/**
 * The record after its canonical process ended. An exit the user caused (a stop or delete
 * request: the backend stops the container, the process gets SIGTERM) only records the exit
 * code; any other exit is Error with Ready=False, reason MainProcessExited. Error is sticky,
 * so an Error sandbox keeps its first exit.
 */
export function withMainProcessExit(record: SandboxRecord, exit: MainProcessExit, now: Date): SandboxRecord {
  const status = record.sandbox.status!;
  if (status.phase === SandboxPhase.SANDBOX_PHASE_ERROR) return record;
  const withExitCode = (phase: SandboxPhase, conditions: SandboxCondition[]): Sandbox => ({
    ...record.sandbox,
    status: { ...status, exitCode: exit.exitCode, phase, conditions },
  });
  if (isStopExpected(record)) return { ...record, sandbox: withExitCode(status.phase, status.conditions) };
  const exited: SandboxCondition = {
    type: ConditionType.Ready,
    status: ConditionStatus.False,
    reason: TerminalReason.MainProcessExited,
    message: describeMainProcessExit(exit),
    lastTransitionTime: now.toISOString(),
  };
  const others = status.conditions.filter((c) => c.type !== ConditionType.Ready);
  return { ...record, sandbox: withExitCode(SandboxPhase.SANDBOX_PHASE_ERROR, [exited, ...others]) };
}

function isStopExpected(record: SandboxRecord): boolean {
  const phase = record.sandbox.status!.phase;
  return record.desiredState === DesiredState.Stopped
    || record.sandbox.metadata!.deletionTimestampMs > 0
    || phase === SandboxPhase.SANDBOX_PHASE_STOPPING
    || phase === SandboxPhase.SANDBOX_PHASE_STOPPED
    || phase === SandboxPhase.SANDBOX_PHASE_DELETING;
}
