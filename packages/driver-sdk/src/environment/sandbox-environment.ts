import { posix } from 'node:path';

import { InvalidArgumentError } from '../errors.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import { DEFAULT_SANDBOX_LOG_LEVEL, SandboxEnv } from './env.js';

/** TLS files as seen from inside the sandbox; only used for an https endpoint. */
export interface SandboxTlsFiles {
  caFile: string;
  /** Client certificate for mTLS; give it together with `keyFile` or not at all. */
  certFile?: string;
  keyFile?: string;
}

export interface SandboxEnvironmentOptions {
  sandbox: DriverSandbox;
  /** Gateway callback URL reachable from inside the sandbox. */
  endpoint: string;
  /** Absolute in-sandbox path of the token file the driver mounts (0600). */
  tokenFilePath: string;
  /** Used when `spec.logLevel` is empty. Default "info". */
  logLevel?: string;
  /** Undefined: the supervisor trusts the system roots. */
  tls?: SandboxTlsFiles | undefined;
}

/** The user's environment: template values overridden by spec values. */
export function mergeUserEnvironment(sandbox: DriverSandbox): Record<string, string> {
  return { ...sandbox.spec?.template?.environment, ...sandbox.spec?.environment };
}

const ENDPOINT_HINT =
  'pass the gateway callback URL as seen from inside the sandbox, e.g. "http://host.docker.internal:17670"';

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new InvalidArgumentError(`sandbox endpoint ${JSON.stringify(endpoint)} is not a URL`, {
      hint: ENDPOINT_HINT,
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`sandbox endpoint ${JSON.stringify(endpoint)} is not an http or https URL`, {
      hint: ENDPOINT_HINT,
    });
  }
  return url;
}

function toTlsEnvironment(tls: SandboxTlsFiles | undefined): Record<string, string> {
  if (tls === undefined) return {};
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new InvalidArgumentError('sandbox TLS certFile and keyFile must be given together', {
      hint: 'pass both files for mTLS, or neither to verify the gateway with caFile only',
    });
  }
  const env: Record<string, string> = { [SandboxEnv.TlsCaFile]: tls.caFile };
  if (tls.certFile !== undefined) env[SandboxEnv.TlsCertFile] = tls.certFile;
  if (tls.keyFile !== undefined) env[SandboxEnv.TlsKeyFile] = tls.keyFile;
  return env;
}

/** JSON with sorted keys, so identical environments produce identical container specs. */
function toStableJson(env: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * Builds the full environment of a sandbox's entrypoint: the user's environment (template
 * then spec, spec wins) overlaid by the driver's `OPENSHELL_*` variables, which win over user
 * values. The sandbox token is deliberately absent: it travels as the file at `tokenFilePath`.
 * @throws InvalidArgumentError when the endpoint is not an http(s) URL, the token path is
 *   relative, or only half of an mTLS pair is given.
 */
export function buildSandboxEnvironment(options: SandboxEnvironmentOptions): Record<string, string> {
  const endpoint = parseEndpoint(options.endpoint);
  if (!posix.isAbsolute(options.tokenFilePath)) {
    throw new InvalidArgumentError(
      `sandbox token file path ${JSON.stringify(options.tokenFilePath)} is not absolute`,
      { hint: 'pass the in-sandbox path where the driver mounts the token file, e.g. "/run/shellgate/token"' },
    );
  }
  const userEnvironment = mergeUserEnvironment(options.sandbox);
  const driverEnvironment: Record<string, string> = {
    [SandboxEnv.Endpoint]: options.endpoint,
    [SandboxEnv.SandboxId]: options.sandbox.id,
    [SandboxEnv.SandboxName]: options.sandbox.name,
    [SandboxEnv.SandboxTokenFile]: options.tokenFilePath,
    [SandboxEnv.LogLevel]: options.sandbox.spec?.logLevel || options.logLevel || DEFAULT_SANDBOX_LOG_LEVEL,
    [SandboxEnv.UserEnvironment]: toStableJson(userEnvironment),
    ...(endpoint.protocol === 'https:' ? toTlsEnvironment(options.tls) : {}),
  };
  return { ...userEnvironment, ...driverEnvironment };
}

/** Turns an environment record into `KEY=value` strings sorted by key (Docker `Env` form). */
export function toEnvList(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key] ?? ''}`);
}
