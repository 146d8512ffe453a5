import { toEngineDriverError } from '@shellgate/container-engine';
import type { EngineCallContext } from '@shellgate/container-engine';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

import { PODMAN_NAMING } from './engine/podman-naming.js';

/**
 * The one place Podman engine failures become driver errors (STYLE.md rule 8), in Podman's
 * words. The mapping itself (404 → NOT_FOUND, 409 → ALREADY_EXISTS, 400 → INVALID_ARGUMENT,
 * an unreachable or forbidden socket → UNAVAILABLE, else INTERNAL keeping the cause) is
 * `toEngineDriverError`, shared with Docker and pinned by its tests; libpod's own 500 for a
 * name in use reaches it as a 409 (`LibpodApiEngine`).
 */
export function toDriverError(error: unknown, context: EngineCallContext): ShellgateError {
  return toEngineDriverError(error, context, PODMAN_NAMING);
}

/**
 * The Podman service cannot be used: nothing answers on its socket, it is a Docker engine,
 * or its Podman is too old. The operator's setup is at fault, so it is INVALID_ARGUMENT:
 * `runDriverMain` prints the message and hint and the binary exits 2 (issue 11).
 */
export class PodmanServiceError extends ShellgateError {
  constructor(message: string, options: { readonly hint: string; readonly cause?: unknown; readonly details?: Record<string, unknown> }) {
    super(ErrorCode.InvalidArgument, message, options);
    this.name = 'PodmanServiceError';
  }
}
