import { statSync } from 'node:fs';

import type { Logger } from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';
import { EngineHostNotFoundError } from '../errors.js';
import { parseEngineHost, toUnixSocketHost } from './engine-host.js';
import type { EngineHost } from './engine-host.js';

/** One way of finding an engine (STYLE.md rule 16); answers a host or why it does not apply. */
export interface EngineHostStrategy {
  readonly name: string;
  find(): { host: EngineHost } | { skipped: string };
}

/** Whether `path` is a Unix socket on this machine. */
export function isSocketOnDisk(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * A socket at a known path. `path` undefined: its directory is unknown here (e.g. no
 * `XDG_RUNTIME_DIR`), and the strategy says so when skipped.
 */
export function unixSocketStrategy(name: string, path: string | undefined, isSocket: (path: string) => boolean = isSocketOnDisk): EngineHostStrategy {
  return {
    name,
    find: () => {
      if (path === undefined) return { skipped: 'its directory is not known in this environment' };
      if (!isSocket(path)) return { skipped: `${path} is not a socket` };
      return { host: toUnixSocketHost(path) };
    },
  };
}

/**
 * An endpoint from an environment variable the engine's own tools read (Podman's
 * `CONTAINER_HOST`); skipped when unset or empty.
 * @throws InvalidArgumentError from `find` when the variable holds no usable endpoint.
 */
export function envEndpointStrategy(
  name: string,
  variable: string,
  env: Readonly<Record<string, string | undefined>>,
  naming: EngineNaming,
): EngineHostStrategy {
  return {
    name,
    find: () => {
      const value = env[variable];
      if (value === undefined || value === '') return { skipped: `${variable} is not set` };
      return { host: parseEngineHost(value, naming, variable) };
    },
  };
}

export interface DetectEngineHostOptions {
  readonly naming: EngineNaming;
  /** The endpoint from config (flag, env or file); empty or undefined: try `strategies`. */
  readonly configured: string | undefined;
  /** Tried in order when nothing is configured; the first that finds a host wins. */
  readonly strategies: readonly EngineHostStrategy[];
  readonly logger: Logger;
}

/**
 * Resolves the engine host: the configured endpoint wins; otherwise the first strategy that
 * finds one. Each skip is logged at debug; when all fail, the error lists every attempt.
 * @throws EngineHostNotFoundError when nothing is configured and no strategy finds a host.
 * @throws InvalidArgumentError when the configured endpoint is not a usable URL.
 */
export function detectEngineHost(options: DetectEngineHostOptions): EngineHost {
  const { naming, configured, logger } = options;
  if (configured !== undefined && configured !== '') return parseEngineHost(configured, naming);
  const attempts: string[] = [];
  for (const strategy of options.strategies) {
    const found = strategy.find();
    if ('host' in found) {
      logger.debug('engine host detected', { engine: naming.id, strategy: strategy.name, endpoint: found.host.endpoint });
      return found.host;
    }
    logger.debug('engine host strategy skipped', { engine: naming.id, strategy: strategy.name, reason: found.skipped });
    attempts.push(`${strategy.name}: ${found.skipped}`);
  }
  throw new EngineHostNotFoundError(naming, attempts);
}
