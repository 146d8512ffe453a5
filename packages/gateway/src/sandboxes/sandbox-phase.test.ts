import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { TRANSIENT_REASONS, TransientReason, type DriverSandboxStatus } from '@shellgate/driver-sdk';
import { DesiredState } from '../store/index.js';
import { SESSION_LOST_MESSAGE, decideSandboxPhase, describePhase, isTerminalPhase, showsPowerChange, type PhaseInputs } from './sandbox-phase.js';
import { backendNotReadyStatus, backendReadyStatus, backendStoppedStatus, provisioningStatus } from './testing/index.js';

const P = SandboxPhase;
const NOW = new Date('2025-06-01T00:00:00.000Z');

function decide(overrides: Partial<PhaseInputs>): ReturnType<typeof decideSandboxPhase> {
  return decideSandboxPhase(
    {
      backendStatus: undefined,
      previousPhase: P.SANDBOX_PHASE_PROVISIONING,
      previousConditions: [],
      desiredState: DesiredState.Running,
      isDeleting: false,
      hasSupervisorSession: false,
      requiresSupervisor: true,
      isBackendStale: false,
      ...overrides,
    },
    NOW,
  );
}

function phaseOf(overrides: Partial<PhaseInputs>): string {
  return describePhase(decide(overrides).phase);
}

describe('decideSandboxPhase: backend rules', () => {
  it('a fresh sandbox with no backend status yet is Provisioning, an established one Unknown', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_PROVISIONING }), 'Provisioning');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_UNSPECIFIED }), 'Provisioning');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_READY, hasSupervisorSession: true }), 'Unknown');
  });

  it('no conditions, Ready=Unknown, or Ready=False with a transient reason is Provisioning', () => {
    assert.equal(phaseOf({ backendStatus: provisioningStatus() }), 'Provisioning');
    const unknown: DriverSandboxStatus = { ...provisioningStatus(), conditions: [{ type: 'Ready', status: 'Unknown', reason: 'x', message: '', lastTransitionTime: '' }] };
    assert.equal(phaseOf({ backendStatus: unknown }), 'Provisioning');
    for (const reason of TRANSIENT_REASONS) {
      assert.equal(phaseOf({ backendStatus: backendNotReadyStatus(reason) }), 'Provisioning', reason);
      assert.equal(phaseOf({ backendStatus: backendNotReadyStatus(reason.toLowerCase()) }), 'Provisioning', `${reason} lower-case`);
      assert.equal(phaseOf({ backendStatus: backendNotReadyStatus(reason.toUpperCase()) }), 'Provisioning', `${reason} upper-case`);
    }
  });

  it('Ready=False with any other reason is Error', () => {
    assert.equal(phaseOf({ backendStatus: backendNotReadyStatus('ImagePullFailed', 'no such image') }), 'Error');
    assert.equal(phaseOf({ backendStatus: backendNotReadyStatus('') }), 'Error');
  });

  it('only a condition typed exactly "Ready" decides, and the first one wins', () => {
    const lowerType: DriverSandboxStatus = { ...provisioningStatus(), conditions: [{ type: 'ready', status: 'True', reason: 'Running', message: '', lastTransitionTime: '' }] };
    assert.equal(phaseOf({ backendStatus: lowerType, hasSupervisorSession: true }), 'Provisioning');
    const twoReady: DriverSandboxStatus = {
      ...provisioningStatus(),
      conditions: [...backendNotReadyStatus('Crashed').conditions, ...backendReadyStatus().conditions],
    };
    assert.equal(phaseOf({ backendStatus: twoReady, hasSupervisorSession: true }), 'Error');
  });

  it('Suspended=True is Stopped, even when Ready=True is also reported', () => {
    assert.equal(phaseOf({ backendStatus: backendStoppedStatus(), desiredState: DesiredState.Stopped, previousPhase: P.SANDBOX_PHASE_STOPPING }), 'Stopped');
    const both: DriverSandboxStatus = { ...provisioningStatus(), conditions: [...backendReadyStatus().conditions, ...backendStoppedStatus().conditions] };
    assert.equal(phaseOf({ backendStatus: both, hasSupervisorSession: true, desiredState: DesiredState.Stopped }), 'Stopped');
  });

  it('deleting in the backend, or by the gateway, is Deleting', () => {
    assert.equal(phaseOf({ backendStatus: { ...backendReadyStatus(), deleting: true }, hasSupervisorSession: true }), 'Deleting');
    assert.equal(phaseOf({ backendStatus: backendReadyStatus(), isDeleting: true, hasSupervisorSession: true }), 'Deleting');
  });
});

describe('decideSandboxPhase: gateway-owned readiness', () => {
  it('backend Ready without a supervisor session stays Provisioning with reason SupervisorNotConnected', () => {
    const decision = decide({ backendStatus: backendReadyStatus() });
    assert.equal(decision.phase, P.SANDBOX_PHASE_PROVISIONING);
    const ready = decision.conditions.filter((c) => c.type === 'Ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0]!.status, 'False');
    assert.equal(ready[0]!.reason, TransientReason.SupervisorNotConnected);
    assert.equal(ready[0]!.lastTransitionTime, NOW.toISOString());
  });

  it('keeps other backend conditions and adds Ready=False when the backend had none rewritten', () => {
    const status: DriverSandboxStatus = { ...backendReadyStatus(), conditions: [{ type: 'Healthy', status: 'True', reason: 'ok', message: '', lastTransitionTime: '' }, ...backendReadyStatus().conditions] };
    const decision = decide({ backendStatus: status });
    assert.deepEqual(decision.conditions.map((c) => `${c.type}=${c.status}`), ['Healthy=True', 'Ready=False']);
  });

  it('backend Ready with a live session is Ready, and conditions pass through unchanged', () => {
    const decision = decide({ backendStatus: backendReadyStatus(), hasSupervisorSession: true });
    assert.equal(decision.phase, P.SANDBOX_PHASE_READY);
    assert.deepEqual(decision.conditions, backendReadyStatus().conditions);
  });

  it('a driver that does not require a supervisor is Ready as soon as the backend is', () => {
    assert.equal(phaseOf({ backendStatus: backendReadyStatus(), requiresSupervisor: false }), 'Ready');
  });

  it('does not mutate the backend status it was given', () => {
    const status = backendReadyStatus();
    const before = structuredClone(status);
    decide({ backendStatus: status });
    assert.deepEqual(status, before);
  });
});

describe('decideSandboxPhase: sticky Error', () => {
  it('once Error, a healthy backend and a live session do not leave Error', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_ERROR, backendStatus: backendReadyStatus(), hasSupervisorSession: true }), 'Error');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_ERROR, backendStatus: backendStoppedStatus() }), 'Error');
  });

  it('keeps the conditions that explained the Error, whatever the backend says later', () => {
    const exited = { type: 'Ready', status: 'False', reason: 'MainProcessExited', message: 'main process exited with code 1', lastTransitionTime: '' };
    const decision = decide({ previousPhase: P.SANDBOX_PHASE_ERROR, previousConditions: [exited], backendStatus: backendReadyStatus(), hasSupervisorSession: true });
    assert.deepEqual(decision.conditions, [exited]);
  });

  it('a stop or start request leaves it: the failed run\'s report, now stale, decides nothing and its conditions stay', () => {
    const failedRun = backendNotReadyStatus('ContainerExited', 'exit 1');
    const stopping = decide({ previousPhase: P.SANDBOX_PHASE_STOPPING, previousConditions: failedRun.conditions, backendStatus: failedRun, desiredState: DesiredState.Stopped, isBackendStale: true });
    assert.equal(describePhase(stopping.phase), 'Stopping');
    assert.deepEqual(stopping.conditions, failedRun.conditions);
    const starting = decide({ previousPhase: P.SANDBOX_PHASE_STARTING, previousConditions: failedRun.conditions, backendStatus: failedRun, isBackendStale: true, hasSupervisorSession: true });
    assert.equal(describePhase(starting.phase), 'Starting');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: failedRun }), 'Error', 'a fresh failed report after the start is an Error again');
  });

  it('a report shows a stop once the backend is Stopped, and a start once it is neither Stopped nor failed', () => {
    const failedRun = backendNotReadyStatus('ContainerExited', 'exit 1');
    assert.equal(showsPowerChange(DesiredState.Stopped, backendStoppedStatus()), true);
    assert.equal(showsPowerChange(DesiredState.Stopped, { ...backendReadyStatus(), deleting: true }), true);
    // Upstream's rule: a container that exited is stopped, whatever stopped it.
    assert.equal(showsPowerChange(DesiredState.Stopped, failedRun), true);
    assert.equal(showsPowerChange(DesiredState.Stopped, backendNotReadyStatus('ImagePullBackOff', 'x')), false);
    assert.equal(showsPowerChange(DesiredState.Stopped, backendReadyStatus()), false);
    assert.equal(showsPowerChange(DesiredState.Running, backendReadyStatus()), true);
    assert.equal(showsPowerChange(DesiredState.Running, provisioningStatus()), true);
    assert.equal(showsPowerChange(DesiredState.Running, failedRun), false);
    assert.equal(showsPowerChange(DesiredState.Running, backendStoppedStatus()), false);
    assert.equal(showsPowerChange(DesiredState.Running, undefined), false);
  });

  it('while a stop is wanted, upstream drivers\' Ready=False ContainerExited is Stopped, never a sticky Error', () => {
    const exited = backendNotReadyStatus('ContainerExited', 'container exited with code 0');
    assert.equal(phaseOf({ backendStatus: exited, previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped }), 'Stopped');
    assert.equal(phaseOf({ backendStatus: backendNotReadyStatus('containerexited', 'x'), previousPhase: P.SANDBOX_PHASE_STOPPED, desiredState: DesiredState.Stopped }), 'Stopped');
    // Without a stop it is what it always was: the container died, an Error.
    assert.equal(phaseOf({ backendStatus: exited, previousPhase: P.SANDBOX_PHASE_READY, desiredState: DesiredState.Running }), 'Error');
    // The gateway's own stop at shutdown keeps the desired state running, and is a stop too.
    assert.equal(phaseOf({ backendStatus: exited, previousPhase: P.SANDBOX_PHASE_READY, desiredState: DesiredState.Running, isShutdownStop: true }), 'Stopped');
    // ...and after a restart, a sandbox stored Stopped that still shows the stop stays Stopped.
    assert.equal(phaseOf({ backendStatus: exited, previousPhase: P.SANDBOX_PHASE_STOPPED, desiredState: DesiredState.Running }), 'Stopped');
    // Another failure during a stop is still an Error.
    assert.equal(phaseOf({ backendStatus: backendNotReadyStatus('OOMKilled', 'x'), previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped }), 'Error');
  });

  it('delete still leaves Error', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_ERROR, isDeleting: true }), 'Deleting');
  });

  it('isTerminalPhase is true for Error only', () => {
    for (const phase of [P.SANDBOX_PHASE_READY, P.SANDBOX_PHASE_STOPPED, P.SANDBOX_PHASE_PROVISIONING, P.SANDBOX_PHASE_DELETING]) {
      assert.equal(isTerminalPhase(phase), false, describePhase(phase));
    }
    assert.equal(isTerminalPhase(P.SANDBOX_PHASE_ERROR), true);
  });
});

describe('decideSandboxPhase: a lost supervisor session', () => {
  it('a Ready sandbox that loses its session is Provisioning with DependenciesNotReady, and stays so until it reconnects', () => {
    const lost = decide({ previousPhase: P.SANDBOX_PHASE_READY, backendStatus: backendReadyStatus() });
    assert.equal(describePhase(lost.phase), 'Provisioning');
    const ready = lost.conditions.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', TransientReason.DependenciesNotReady, SESSION_LOST_MESSAGE]);
    const later = decide({ previousPhase: P.SANDBOX_PHASE_PROVISIONING, previousConditions: lost.conditions, backendStatus: backendReadyStatus() });
    assert.equal(later.conditions.find((c) => c.type === 'Ready')?.reason, TransientReason.DependenciesNotReady);
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_PROVISIONING, previousConditions: lost.conditions, backendStatus: backendReadyStatus(), hasSupervisorSession: true }), 'Ready');
  });

  it('a backend that reports DependenciesNotReady itself does not count as a lost session', () => {
    const fromBackend = backendNotReadyStatus(TransientReason.DependenciesNotReady, 'volume not mounted');
    const decision = decide({ previousPhase: P.SANDBOX_PHASE_PROVISIONING, previousConditions: fromBackend.conditions, backendStatus: backendReadyStatus() });
    assert.equal(decision.conditions.find((c) => c.type === 'Ready')?.reason, TransientReason.SupervisorNotConnected);
  });
});

describe('decideSandboxPhase: Stopping and Starting', () => {
  it('desired Stopped while the backend still runs is Stopping, then Stopped once suspended', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped, backendStatus: backendReadyStatus(), hasSupervisorSession: true }), 'Stopping');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped, backendStatus: provisioningStatus() }), 'Stopping');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped, backendStatus: backendStoppedStatus() }), 'Stopped');
  });

  it('after a start the stale Suspended report is Starting, not Stopped', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: backendStoppedStatus() }), 'Starting');
  });

  it('Starting stays Starting through backend provisioning and a missing supervisor, then Ready', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: provisioningStatus() }), 'Starting');
    const waiting = decide({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: backendReadyStatus() });
    assert.equal(describePhase(waiting.phase), 'Starting');
    assert.equal(waiting.conditions.find((c) => c.type === 'Ready')?.reason, TransientReason.SupervisorNotConnected);
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: backendReadyStatus(), hasSupervisorSession: true }), 'Ready');
  });

  it('a stopped sandbox that should run (gateway shutdown) shows Stopped, not Starting', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_READY, desiredState: DesiredState.Running, backendStatus: backendStoppedStatus() }), 'Stopped');
  });

  it('a backend failure during start or stop is Error', () => {
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STARTING, backendStatus: backendNotReadyStatus('ContainerStartFailed') }), 'Error');
    assert.equal(phaseOf({ previousPhase: P.SANDBOX_PHASE_STOPPING, desiredState: DesiredState.Stopped, backendStatus: backendNotReadyStatus('ContainerStopFailed') }), 'Error');
  });
});

describe('describePhase', () => {
  it('turns the enum into a word', () => {
    assert.equal(describePhase(P.SANDBOX_PHASE_READY), 'Ready');
    assert.equal(describePhase(99 as SandboxPhase), 'Unknown');
  });
});
