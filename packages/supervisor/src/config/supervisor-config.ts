import { SupervisorError, USAGE_EXIT_CODE } from '../errors.js';
import { Env } from './env.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log-level.js';

/** Where and how the supervisor dials the gateway. */
export interface GatewayEndpoint {
  /** `host:port`, as grpc-js wants it. */
  readonly target: string;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string } | undefined;
}

/** Everything the supervisor reads from its environment, validated once (STYLE.md rule 14). */
export interface SupervisorConfig {
  readonly endpoint: GatewayEndpoint;
  readonly sandboxId: string;
  readonly sandboxName: string | undefined;
  readonly tokenFile: string;
  readonly logLevel: LogLevel;
  /** The user's environment; the container already has it as plain variables, these fill any gap. */
  readonly userEnvironment: Readonly<Record<string, string>>;
}

function usageError(message: string, hint: string): SupervisorError {
  return new SupervisorError(message, { hint, exitCode: USAGE_EXIT_CODE });
}

function requireVariable(env: NodeJS.ProcessEnv, name: string, meaning: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw usageError(
      `${name} is not set: the supervisor needs ${meaning}`,
      'the supervisor is meant to be started by a Shellgate compute driver, which sets this variable',
    );
  }
  return value.trim();
}

function optionalVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Reads OPENSHELL_ENDPOINT (`http://host:port` or `https://host:port`) plus the TLS files for https. */
export function parseGatewayEndpoint(env: NodeJS.ProcessEnv): GatewayEndpoint {
  const raw = requireVariable(env, Env.endpoint, 'the gateway callback URL');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${Env.endpoint}=${JSON.stringify(raw)} is not a URL`, 'use http://HOST:PORT or https://HOST:PORT');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${Env.endpoint}=${JSON.stringify(raw)} has scheme ${url.protocol}; only http: and https: are supported`, 'use http://HOST:PORT or https://HOST:PORT');
  }
  const isTls = url.protocol === 'https:';
  const port = url.port === '' ? (isTls ? '443' : '80') : url.port;
  const target = `${url.hostname}:${port}`;
  if (!isTls) return { target, tls: undefined };
  const certFile = optionalVariable(env, Env.tlsCertFile);
  const keyFile = optionalVariable(env, Env.tlsKeyFile);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? Env.tlsCertFile : Env.tlsKeyFile;
    throw usageError(`${missing} is not set but its pair is: a client certificate needs both the cert and the key file`, `set both ${Env.tlsCertFile} and ${Env.tlsKeyFile}, or neither`);
  }
  const caFile = optionalVariable(env, Env.tlsCaFile);
  return { target, tls: { ...(caFile !== undefined && { caFile }), ...(certFile !== undefined && { certFile }), ...(keyFile !== undefined && { keyFile }) } };
}

function parseUserEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = optionalVariable(env, Env.userEnvironment);
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw usageError(`${Env.userEnvironment} is not valid JSON`, 'it must be a JSON object of string values, e.g. {"FOO":"bar"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((value) => typeof value === 'string')) {
    throw usageError(`${Env.userEnvironment} is not a JSON object of strings`, 'it must look like {"FOO":"bar"}');
  }
  return parsed as Record<string, string>;
}

/** Reads and validates the supervisor's environment; every problem names its variable and exits 2. */
export function parseSupervisorConfig(env: NodeJS.ProcessEnv): SupervisorConfig {
  const endpoint = parseGatewayEndpoint(env);
  const sandboxId = requireVariable(env, Env.sandboxId, 'the id of the sandbox it runs in');
  const tokenFile = requireVariable(env, Env.tokenFile, 'the path of the sandbox token file');
  const logLevel = optionalVariable(env, Env.logLevel)?.toLowerCase() ?? 'info';
  if (!isLogLevel(logLevel)) {
    throw usageError(`${Env.logLevel}=${JSON.stringify(env[Env.logLevel])} is not a log level`, `use one of ${LOG_LEVELS.join(', ')}`);
  }
  return Object.freeze({
    endpoint,
    sandboxId,
    sandboxName: optionalVariable(env, Env.sandboxName),
    tokenFile,
    logLevel,
    userEnvironment: Object.freeze(parseUserEnvironment(env)),
  });
}
