import type { FlagSpec } from './args/flag-spec.js';
import type { ParsedFlags } from './args/parsed-flags.js';
import { parseDuration } from './args/parse-duration.js';
import type { GatewayAddress } from './connection/gateway-address.js';
import { DEFAULT_GATEWAY_ADDRESS, parseGatewayAddress } from './connection/gateway-address.js';
import { EnvVar } from './env.js';
import { UsageError } from './errors.js';
import type { OutputFormat } from './output/output-format.js';
import { parseOutputFormat } from './output/output-format.js';

/** Deadline of each unary call when --timeout is not given. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Deadline of a whole `--wait` command when --timeout is not given. */
export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
export const DEFAULT_WORKSPACE = 'default';

/** A file named by a flag or an env var; `source` is how we name it in errors. */
export interface SourcedPath {
  readonly path: string;
  readonly source: string;
}

/** Everything global the CLI needs, resolved flags > env > defaults, frozen. */
export interface CliConfig {
  readonly gateway: GatewayAddress;
  readonly workspace: string;
  readonly output: OutputFormat;
  readonly tokenFile: SourcedPath | undefined;
  readonly tlsCaFile: string | undefined;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** True when the connection uses TLS: `https://` or any --tls-* flag. */
  readonly isTls: boolean;
  /** --timeout as given, undefined when absent (streams then run without a deadline). */
  readonly explicitTimeoutMs: number | undefined;
  readonly callTimeoutMs: number;
  readonly waitTimeoutMs: number;
}

/** Environment variables, as `process.env` holds them. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the global flags. This is the only place that reads the environment; `env`
 * defaults to `process.env` so tests can pass their own.
 */
export function resolveCliConfig(flags: ParsedFlags, env: CliEnv = process.env, commandFlags: readonly FlagSpec[] = []): CliConfig {
  // A command's own flag of a global's name (exec's --timeout) is the command's, not ours.
  const isShadowed = (name: string): boolean => commandFlags.some((spec) => spec.name === name);
  const gatewayFlag = flags.string('gateway');
  const gatewayEnv = nonEmpty(env[EnvVar.Gateway]);
  const gateway =
    gatewayFlag !== undefined
      ? parseGatewayAddress(gatewayFlag, '--gateway')
      : gatewayEnv !== undefined
        ? parseGatewayAddress(gatewayEnv, `$${EnvVar.Gateway}`)
        : parseGatewayAddress(DEFAULT_GATEWAY_ADDRESS, 'default');

  const workspace = flags.string('workspace') ?? nonEmpty(env[EnvVar.Workspace]) ?? DEFAULT_WORKSPACE;
  if (workspace === '') throw new UsageError('--workspace must not be empty');

  const tokenFlag = flags.string('token-file');
  const tokenEnv = nonEmpty(env[EnvVar.TokenFile]);
  const tokenFile: SourcedPath | undefined =
    tokenFlag !== undefined
      ? { path: tokenFlag, source: '--token-file' }
      : tokenEnv !== undefined
        ? { path: tokenEnv, source: `$${EnvVar.TokenFile}` }
        : undefined;

  const tlsCaFile = flags.string('tls-ca');
  const tlsCertFile = flags.string('tls-cert');
  const tlsKeyFile = flags.string('tls-key');
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together', 'give both for a client certificate, or neither');
  }
  const hasTlsFlags = tlsCaFile !== undefined || tlsCertFile !== undefined;
  if (hasTlsFlags && gateway.isExplicitPlaintext) {
    throw new UsageError(
      `--tls-* flags were given but the gateway address ${gateway.display} is plaintext (http:// or unix:)`,
      'use https://host:port, or drop the --tls-* flags',
    );
  }

  const timeoutText = isShadowed('timeout') ? undefined : flags.string('timeout');
  const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText, '--timeout');
  const outputText = flags.string('output');

  return Object.freeze({
    gateway,
    workspace,
    output: outputText === undefined ? 'table' : parseOutputFormat(outputText),
    tokenFile,
    tlsCaFile,
    tlsCertFile,
    tlsKeyFile,
    isTls: gateway.isTls || hasTlsFlags,
    explicitTimeoutMs: timeoutMs,
    callTimeoutMs: timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    waitTimeoutMs: timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
