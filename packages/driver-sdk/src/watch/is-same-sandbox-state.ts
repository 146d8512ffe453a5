import { isDeepStrictEqual } from 'node:util';

import type { DriverSandbox } from '../gen/compute_driver.js';

function withoutTransitionTimes(sandbox: DriverSandbox): DriverSandbox {
  if (sandbox.status === undefined) return sandbox;
  return {
    ...sandbox,
    status: {
      ...sandbox.status,
      conditions: sandbox.status.conditions.map((condition) => ({ ...condition, lastTransitionTime: '' })),
    },
  };
}

/**
 * Default change test of the watch sources: deep equality of the whole message (map key
 * order ignored), except condition `lastTransitionTime`. Drivers that rebuild conditions from
 * scratch on every list stamp a fresh time each time; a time alone is not a state change,
 * and publishing it would wake every gateway on every poll or resync.
 */
export function isSameSandboxState(previous: DriverSandbox, next: DriverSandbox): boolean {
  return isDeepStrictEqual(withoutTransitionTimes(previous), withoutTransitionTimes(next));
}
