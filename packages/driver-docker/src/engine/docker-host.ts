import { statSync } from 'node:fs';
import { join } from 'node:path';

import { InvalidArgumentError } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';

import { DriverEnv } from '../env.js';
import { DockerHostNotFoundError } from '../errors.js';

/** Where the Docker engine listens, resolved from config or auto-detected. */
export type DockerHost =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly endpoint: string }
  | {
      readonly kind: 'tcp';
      readonly hostname: string;
      readonly port: number;
      readonly protocol: 'http';
      readonly endpoint: string;
    };

/** One way of finding the Docker socket; answers a host or why it does not apply. */
export interface DockerHostStrategy {
  readonly name: string;
  find(): { host: DockerHost } | { skipped: string };
}

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

function isSocketOnDisk(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * Parses a Docker host URL: `unix:///path`, a bare absolute path, or `tcp://host:port`
 * (plain HTTP). TLS (`https://`, `DOCKER_TLS_VERIFY`) and `ssh://` are not supported.
 */
export function parseDockerHost(value: string): DockerHost {
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value, endpoint: `unix://${value}` };
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new InvalidArgumentError(`docker_host ${JSON.stringify(value)} is not a URL`, {
      hint: 'use unix:///var/run/docker.sock or tcp://HOST:PORT',
      cause: error,
    });
  }
  if (url.protocol === 'unix:' && url.pathname !== '') {
    return { kind: 'unix', socketPath: url.pathname, endpoint: `unix://${url.pathname}` };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    const port = url.port === '' ? 2375 : Number(url.port);
    return { kind: 'tcp', hostname: url.hostname, port, protocol: 'http', endpoint: `tcp://${url.hostname}:${port}` };
  }
  throw new InvalidArgumentError(`docker_host ${JSON.stringify(value)} uses an unsupported scheme ${url.protocol}`, {
    hint: 'use unix:///var/run/docker.sock or tcp://HOST:PORT (TLS and ssh are not supported)',
  });
}

function socketStrategy(name: string, path: string | undefined, isSocket: (path: string) => boolean): DockerHostStrategy {
  return {
    name,
    find: () => {
      if (path === undefined) return { skipped: 'its directory is not known in this environment' };
      if (!isSocket(path)) return { skipped: `${path} is not a socket` };
      return { host: { kind: 'unix', socketPath: path, endpoint: `unix://${path}` } };
    },
  };
}

/** The documented auto-detect order: rootful socket, rootless socket, Docker Desktop. */
export function defaultDockerHostStrategies(options: DetectDockerHostOptions): DockerHostStrategy[] {
  const isSocket = options.isSocket ?? isSocketOnDisk;
  const runtimeDir = options.env[DriverEnv.XdgRuntimeDir];
  return [
    socketStrategy('rootful', '/var/run/docker.sock', isSocket),
    socketStrategy(
      'rootless',
      runtimeDir === undefined || runtimeDir === '' ? undefined : join(runtimeDir, 'docker.sock'),
      isSocket,
    ),
    socketStrategy('docker-desktop', join(options.homeDir, '.docker', 'run', 'docker.sock'), isSocket),
  ];
}

/**
 * Resolves the Docker host: the configured `docker_host` wins; otherwise the first strategy
 * that finds a socket. Each skip is logged at debug; when all fail, the error lists them all.
 * @throws DockerHostNotFoundError when nothing is configured and no socket is found.
 */
export function detectDockerHost(
  options: DetectDockerHostOptions,
  strategies: readonly DockerHostStrategy[] = defaultDockerHostStrategies(options),
): DockerHost {
  if (options.configured !== undefined && options.configured !== '') return parseDockerHost(options.configured);
  const attempts: string[] = [];
  for (const strategy of strategies) {
    const found = strategy.find();
    if ('host' in found) {
      options.logger.debug('docker host detected', { strategy: strategy.name, endpoint: found.host.endpoint });
      return found.host;
    }
    options.logger.debug('docker host strategy skipped', { strategy: strategy.name, reason: found.skipped });
    attempts.push(`${strategy.name}: ${found.skipped}`);
  }
  throw new DockerHostNotFoundError(attempts);
}
