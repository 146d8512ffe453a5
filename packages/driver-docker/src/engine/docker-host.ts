import { join } from 'node:path';

import { detectEngineHost, unixSocketStrategy } from '@shellgate/container-engine';
import type { EngineHost, EngineHostStrategy } from '@shellgate/container-engine';
import type { Logger } from '@shellgate/driver-sdk';

import { DriverEnv } from '../env.js';
import { DOCKER_NAMING } from './docker-naming.js';

export interface DetectDockerHostOptions {
  /** `docker_host` from config (flag, `DOCKER_HOST`, or file); empty or undefined: auto-detect. */
  readonly configured: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory, for Docker Desktop's `~/.docker/run/docker.sock`. */
  readonly homeDir: string;
  readonly logger: Logger;
  /** Whether a path is a Unix socket; the real check by default. */
  readonly isSocket?: (path: string) => boolean;
}

/** The documented auto-detect order: rootful socket, rootless socket, Docker Desktop. */
function dockerHostStrategies(options: DetectDockerHostOptions): EngineHostStrategy[] {
  const runtimeDir = options.env[DriverEnv.XdgRuntimeDir];
  return [
    unixSocketStrategy('rootful', '/var/run/docker.sock', options.isSocket),
    unixSocketStrategy('rootless', runtimeDir === undefined || runtimeDir === '' ? undefined : join(runtimeDir, 'docker.sock'), options.isSocket),
    unixSocketStrategy('docker-desktop', join(options.homeDir, '.docker', 'run', 'docker.sock'), options.isSocket),
  ];
}

/**
 * Resolves the Docker host: the configured `docker_host` wins; otherwise the first socket of
 * {@link dockerHostStrategies}.
 * @throws EngineHostNotFoundError listing every socket tried when none is found.
 */
export function detectDockerHost(options: DetectDockerHostOptions): EngineHost {
  return detectEngineHost({ naming: DOCKER_NAMING, configured: options.configured, strategies: dockerHostStrategies(options), logger: options.logger });
}
