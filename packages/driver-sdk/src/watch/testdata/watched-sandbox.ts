import { readyCondition } from '../../conditions/conditions.js';
import { DriverSandbox } from '../../gen/compute_driver.js';

/** A sandbox as a watch source lists it: Ready or Starting since `now`, with a two-key env. */
export function watchedSandbox(id: string, ready = false, now = new Date('2025-01-01T00:00:00Z')): DriverSandbox {
  return DriverSandbox.fromPartial({
    id,
    name: id,
    spec: { environment: { A: '1', B: '2' } },
    status: { sandboxName: id, conditions: [readyCondition(ready, ready ? 'Running' : 'Starting', '', now)] },
  });
}
