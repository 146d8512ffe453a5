import type { WatchSandboxesEvent } from '../gen/compute_driver.js';
import type { SandboxMirror } from './sandbox-mirror.js';

/** Applies one WatchSandboxes event to the mirror; a malformed event is reported, not applied. */
export function applyWatchEvent(event: WatchSandboxesEvent, mirror: SandboxMirror, reportProblem: (problem: string) => void): void {
  const payload = event.payload;
  switch (payload?.$case) {
    case 'sandbox': {
      const sandbox = payload.sandbox.sandbox;
      if (sandbox === undefined || sandbox.id === '') return reportProblem('watch sent a sandbox event without a sandbox id');
      return mirror.upsertFromWatch(sandbox);
    }
    case 'deleted':
      if (payload.deleted.sandboxId === '') return reportProblem('watch sent a deleted event without a sandbox id');
      return mirror.removeFromWatch(payload.deleted.sandboxId);
    case 'platformEvent': {
      const { sandboxId, event: platformEvent } = payload.platformEvent;
      if (platformEvent === undefined) return reportProblem(`watch sent a platform event for ${sandboxId} without an event`);
      return mirror.addPlatformEvent({ sandboxId, event: platformEvent });
    }
    case undefined:
      return reportProblem('watch sent an event without a payload');
  }
}
