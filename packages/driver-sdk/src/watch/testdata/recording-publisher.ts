import type { DriverPlatformEvent, DriverSandbox } from '../../gen/compute_driver.js';
import { readyCondition } from '../../conditions/conditions.js';
import type { SandboxPublisher } from '../sandbox-tracker.js';

/** A sandbox with one Ready condition; `ready` and `name` make distinct states. */
export function testSandbox(id: string, ready = false, name = id): DriverSandbox {
  const at = new Date('2025-01-01T00:00:00Z');
  return {
    id,
    name,
    namespace: '',
    workspace: '',
    spec: undefined,
    status: { sandboxName: name, instanceId: '', agentFd: '', sandboxFd: '', deleting: false, conditions: [readyCondition(ready, ready ? 'Running' : 'Starting', '', at)] },
  };
}

export function testPlatformEvent(reason: string): DriverPlatformEvent {
  return { timestampMs: 1, source: 'test', type: 'Normal', reason, message: '', metadata: {} };
}

/** A publisher that records what reached the watch as "sandbox:a:ready", "deleted:a", "event:a:Reason". */
export class RecordingPublisher implements SandboxPublisher {
  readonly seen: string[] = [];

  publishSandbox(sandbox: DriverSandbox): void {
    const isReady = sandbox.status?.conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
    this.seen.push(`sandbox:${sandbox.id}:${isReady ? 'ready' : 'not-ready'}`);
  }

  publishDeleted(sandboxId: string): void {
    this.seen.push(`deleted:${sandboxId}`);
  }

  publishPlatformEvent(sandboxId: string, event: DriverPlatformEvent): void {
    this.seen.push(`event:${sandboxId}:${event.reason}`);
  }

  /** What was recorded since the last take. */
  take(): string[] {
    return this.seen.splice(0);
  }
}
