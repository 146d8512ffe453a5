import { deriveBackendPhase } from '../conditions/backend-phase.js';
import type { DriverSandbox } from '../gen/compute_driver.js';

/**
 * One line for timeout errors: the derived phase plus every condition, e.g.
 * `phase Provisioning (Ready=False Starting "pulling image", Suspended=False NotSuspended)`.
 */
export function describeSandboxState(sandbox: DriverSandbox | undefined): string {
  if (sandbox === undefined) return 'no such sandbox in the mirror';
  const phase = deriveBackendPhase(sandbox.status);
  const conditions = (sandbox.status?.conditions ?? []).map((condition) => {
    const message = condition.message === '' ? '' : ` ${JSON.stringify(condition.message)}`;
    return `${condition.type}=${condition.status} ${condition.reason}${message}`;
  });
  const deleting = sandbox.status?.deleting === true ? ', deleting' : '';
  return conditions.length === 0 ? `phase ${phase}${deleting}` : `phase ${phase} (${conditions.join(', ')})${deleting}`;
}
