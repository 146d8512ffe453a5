// The driver settings every e2e driver gets, whatever its engine: the local test image, no
// pulls, a private network named after the run (which the engine scripts' sweep finds), short
// stops, and no supervisor unless a suite turns it on.
import { E2E_NAME_PREFIX, E2E_RUN, PROCESS_ID } from '../docker/e2e-run.js';
import type { DriverConfigValue } from './engine-under-test.js';

export type { DriverConfigValue } from './engine-under-test.js';

/** The sandbox image `scripts/engines/docker.sh start` and `podman.sh start` import from a static busybox. */
export const TEST_IMAGE = 'shellgate-test/busybox:1';

/**
 * The driver config every e2e driver gets: the local image, never a pull, a private network
 * named after the run, which `docker.sh sweep RUN` (and podman.sh's) finds containers by, and
 * no supervisor (driver-level tests see backend state only; the supervisor suite turns it on).
 */
export function defaultDriverConfig(label: string, stateDir: string): Record<string, DriverConfigValue> {
  return {
    default_image: TEST_IMAGE,
    image_pull_policy: 'Never',
    network_name: e2eObjectName(label),
    state_dir: stateDir,
    // Commands such as `sleep` ignore SIGTERM as pid 1; a short timeout keeps stops quick.
    stop_timeout_seconds: 2,
    inject_supervisor: false,
  };
}

/** `sg-e2e-<run>-<process>-<label>`: a name the engine scripts' `sweep RUN` recognises. */
export function e2eObjectName(label: string): string {
  return `${E2E_NAME_PREFIX}${E2E_RUN}-${PROCESS_ID}-${label}`;
}

/** TOML lines for a flat table of scalars. */
export function toTomlLines(config: Readonly<Record<string, DriverConfigValue>>): string[] {
  return Object.entries(config).map(([key, value]) => `${key} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}
