import { toEngineDriverError } from '@shellgate/container-engine';
import type { EngineCallContext } from '@shellgate/container-engine';
import type { ShellgateError } from '@shellgate/driver-sdk';

import { DOCKER_NAMING } from './engine/docker-naming.js';

/**
 * The one place Docker engine failures become driver errors (STYLE.md rule 8), in Docker's
 * words. The mapping itself (404 → NOT_FOUND, 409 → ALREADY_EXISTS, 400 → INVALID_ARGUMENT,
 * an unreachable or forbidden socket → UNAVAILABLE, else INTERNAL keeping the cause) is
 * `toEngineDriverError`, shared with Podman and pinned by its tests.
 */
export function toDriverError(error: unknown, context: EngineCallContext): ShellgateError {
  return toEngineDriverError(error, context, DOCKER_NAMING);
}
