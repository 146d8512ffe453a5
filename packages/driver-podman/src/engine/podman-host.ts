import { join } from 'node:path';

import { detectEngineHost, envEndpointStrategy, unixSocketStrategy } from '@shellgate/container-engine';
import type { EngineHost, EngineHostStrategy } from '@shellgate/container-engine';
import type { Logger } from '@shellgate/driver-sdk';

import { DriverEnv } from '../env.js';
import { PODMAN_NAMING } from './podman-naming.js';

export interface DetectPodmanHostOptions {
  /** `podman_socket` from config (flag, env or file); empty or undefined: auto-detect. */
  readonly configured: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Whether a path is a Unix socket; the real check by default. */
  readonly isSocket?: (path: string) => boolean;
}

/** The documented auto-detect order: `CONTAINER_HOST`, the rootless socket, the rootful socket. */
function podmanHostStrategies(options: DetectPodmanHostOptions): EngineHostStrategy[] {
  const runtimeDir = options.env[DriverEnv.XdgRuntimeDir];
  return [
    envEndpointStrategy('container-host', DriverEnv.ContainerHost, options.env, PODMAN_NAMING),
    unixSocketStrategy('rootless', runtimeDir === undefined || runtimeDir === '' ? undefined : join(runtimeDir, 'podman', 'podman.sock'), options.isSocket),
    unixSocketStrategy('rootful', '/run/podman/podman.sock', options.isSocket),
  ];
}

/**
 * Resolves the Podman socket: the configured `podman_socket` wins; otherwise the first hit
 * of {@link podmanHostStrategies}, each skip logged at debug.
 * @throws EngineHostNotFoundError listing every place tried when none is found.
 * @throws InvalidArgumentError when the configured or `CONTAINER_HOST` endpoint is unusable.
 */
export function detectPodmanHost(options: DetectPodmanHostOptions): EngineHost {
  return detectEngineHost({ naming: PODMAN_NAMING, configured: options.configured, strategies: podmanHostStrategies(options), logger: options.logger });
}
