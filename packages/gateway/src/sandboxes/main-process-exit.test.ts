import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxPhase, type Sandbox } from '@shellgate/api';
import { DesiredState, type SandboxRecord } from '../store/index.js';
import { describeMainProcessExit, withMainProcessExit } from './main-process-exit.js';

const P = SandboxPhase;
const NOW = new Date('2025-06-01T00:00:00.000Z');

function record(phase: SandboxPhase, desiredState: DesiredState = DesiredState.Running, deletionTimestampMs = 0): SandboxRecord {
  const sandbox = {
    metadata: { id: 'id-1', name: 'box', deletionTimestampMs },
    status: { phase, conditions: [{ type: 'Healthy', status: 'True', reason: '', message: '', lastTransitionTime: '' }], exitCode: undefined },
  } as unknown as Sandbox;
  return { sandbox, driver: 'fake', desiredState, missingSinceMs: undefined };
}

describe('withMainProcessExit', () => {
  it('an unrequested exit is Error with Ready=False MainProcessExited first, other conditions kept', () => {
    const next = withMainProcessExit(record(P.SANDBOX_PHASE_READY), { exitCode: 2, signal: '' }, NOW);
    assert.equal(next.sandbox.status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(next.sandbox.status!.exitCode, 2);
    assert.deepEqual(next.sandbox.status!.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`), ['Ready=False:MainProcessExited', 'Healthy=True:']);
    assert.equal(next.sandbox.status!.conditions[0]!.lastTransitionTime, NOW.toISOString());
  });

  it('an exit during a stop or delete records the code only', () => {
    for (const stopping of [record(P.SANDBOX_PHASE_STOPPING, DesiredState.Stopped), record(P.SANDBOX_PHASE_READY, DesiredState.Stopped), record(P.SANDBOX_PHASE_READY, DesiredState.Running, 1), record(P.SANDBOX_PHASE_STOPPED)]) {
      const next = withMainProcessExit(stopping, { exitCode: 143, signal: 'SIGTERM' }, NOW);
      assert.equal(next.sandbox.status!.phase, stopping.sandbox.status!.phase);
      assert.equal(next.sandbox.status!.exitCode, 143);
    }
  });

  it('an Error sandbox keeps its first exit', () => {
    const failed = withMainProcessExit(record(P.SANDBOX_PHASE_READY), { exitCode: 1, signal: '' }, NOW);
    assert.equal(withMainProcessExit(failed, { exitCode: 9, signal: '' }, NOW), failed);
  });

  it('describes code and signal', () => {
    assert.equal(describeMainProcessExit({ exitCode: 0, signal: '' }), 'main process exited with code 0');
    assert.equal(describeMainProcessExit({ exitCode: 137, signal: 'SIGKILL' }), 'main process was killed by SIGKILL (exit code 137)');
  });
});
