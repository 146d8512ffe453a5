import { InvalidArgumentError } from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';

/** Where an engine listens: a Unix socket or plain-HTTP tcp; `endpoint` names it in logs and hints. */
export type EngineHost =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly endpoint: string }
  | {
      readonly kind: 'tcp';
      readonly hostname: string;
      readonly port: number;
      readonly protocol: 'http';
      readonly endpoint: string;
    };

/** The host of a Unix socket path. */
export function toUnixSocketHost(socketPath: string): EngineHost {
  return { kind: 'unix', socketPath, endpoint: `unix://${socketPath}` };
}

/**
 * Parses an engine host URL: `unix:///path`, a bare absolute path, or `tcp://host:port`
 * (plain HTTP; no port: the engine's default). TLS (`https://`) and `ssh://` are not
 * supported. `source` names the value in errors (default: the engine's config key).
 * @throws InvalidArgumentError naming `source` and a valid example.
 */
export function parseEngineHost(value: string, naming: EngineNaming, source: string = naming.hostConfigKey): EngineHost {
  if (value.startsWith('/')) return toUnixSocketHost(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new InvalidArgumentError(`${source} ${JSON.stringify(value)} is not a URL`, {
      hint: `use ${naming.exampleEndpoint} or tcp://HOST:PORT`,
      cause: error,
    });
  }
  if (url.protocol === 'unix:' && url.pathname !== '') return toUnixSocketHost(url.pathname);
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    const port = url.port === '' ? naming.defaultTcpPort : Number(url.port);
    return { kind: 'tcp', hostname: url.hostname, port, protocol: 'http', endpoint: `tcp://${url.hostname}:${port}` };
  }
  throw new InvalidArgumentError(`${source} ${JSON.stringify(value)} uses an unsupported scheme ${url.protocol}`, {
    hint: `use ${naming.exampleEndpoint} or tcp://HOST:PORT (TLS and ssh are not supported)`,
  });
}
