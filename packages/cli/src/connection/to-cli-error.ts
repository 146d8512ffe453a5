import { status as GrpcStatus } from '@grpc/grpc-js';
import { formatDuration } from '../args/parse-duration.js';
import { EnvVar } from '../env.js';
import { CliError, isCliError } from '../errors.js';
import { ExitCode } from '../exit-code.js';

/** What a failed call was about, so messages can name it. */
export interface CallSubject {
  /** `sandbox` or `workspace`; absent for gateway-wide calls. */
  readonly kind?: 'sandbox' | 'workspace';
  readonly name?: string;
  /** The workspace a sandbox was looked up in. */
  readonly workspace?: string;
}

/** Everything {@link toCliError} needs besides the error itself. */
export interface CallContext {
  /** The gateway as the user named it: `127.0.0.1:17670`. */
  readonly gateway: string;
  /** The RPC name, e.g. `CreateSandbox`. */
  readonly method: string;
  readonly subject: CallSubject;
  readonly timeoutMs: number;
}

interface GrpcServiceError {
  readonly code: number;
  readonly details: string;
}

/** True for the errors grpc-js hands to callbacks and streams (a numeric status code). */
export function isGrpcServiceError(value: unknown): value is GrpcServiceError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { details?: unknown }).details === 'string'
  );
}

/**
 * The one place gRPC status codes become exit codes and messages that say what to do.
 * Pinned by `to-cli-error.test.ts` (one case per row) and the end-to-end command tests.
 */
export function toCliError(error: unknown, context: CallContext): CliError {
  if (isCliError(error)) return error;
  if (!isGrpcServiceError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new CliError(ExitCode.Failed, `${context.method} failed: ${message}`, { cause: error });
  }
  const code = GrpcStatus[error.code] ?? `CODE_${error.code}`;
  const options = { grpcCode: code, cause: error };
  const details = error.details.trim();
  const what = describeSubject(context.subject);
  switch (error.code as GrpcStatus) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      // The gateway's message names the field; pass it through untouched.
      return new CliError(ExitCode.Usage, `invalid request: ${details || code}`, options);
    case GrpcStatus.NOT_FOUND:
      return new CliError(ExitCode.NotFound, what === undefined ? `not found: ${details}` : `${what} not found${inWorkspace(context.subject)}`, {
        ...options,
        hint: context.subject.kind === 'sandbox' ? "run 'shellgate sandbox list' to see the sandboxes there" : undefined,
      });
    case GrpcStatus.ALREADY_EXISTS:
      return new CliError(ExitCode.Conflict, what === undefined ? `already exists: ${details}` : `${what} already exists${inWorkspace(context.subject)}`, {
        ...options,
        hint: 'pick another name, or delete the existing one first',
      });
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.ABORTED:
      return new CliError(ExitCode.Conflict, `${context.method}${what === undefined ? '' : ` of ${what}`} conflicts with its current state: ${details || code}`, options);
    case GrpcStatus.UNAVAILABLE:
      return unavailable(details, context, options);
    case GrpcStatus.UNAUTHENTICATED:
      return new CliError(ExitCode.Unauthorized, `the gateway at ${context.gateway} refused the credentials: ${details || code}`, {
        ...options,
        hint: `give a valid bearer token with --token-file or $${EnvVar.TokenFile}, or a client certificate with --tls-cert/--tls-key`,
      });
    case GrpcStatus.PERMISSION_DENIED:
      return new CliError(ExitCode.Unauthorized, `permission denied for ${context.method}${what === undefined ? '' : ` on ${what}`}: ${details || code}`, options);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new CliError(ExitCode.Timeout, `${context.method} timed out after ${formatDuration(context.timeoutMs)} at the gateway ${context.gateway}`, {
        ...options,
        hint: 'raise --timeout, or check that the gateway is healthy',
      });
    case GrpcStatus.CANCELLED:
      return new CliError(ExitCode.Interrupted, `${context.method} was cancelled`, options);
    case GrpcStatus.UNIMPLEMENTED:
      return new CliError(ExitCode.Failed, `the gateway at ${context.gateway} does not implement ${context.method}`, {
        ...options,
        hint: 'upgrade the gateway, or check that --gateway points at a Shellgate/OpenShell gateway',
      });
    default:
      return new CliError(ExitCode.Failed, `${context.method} failed (${code}): ${details || 'no details'}`, options);
  }
}

function unavailable(details: string, context: CallContext, options: { grpcCode: string; cause: unknown }): CliError {
  const reason = connectionFailureReason(details);
  if (reason === undefined) {
    return new CliError(ExitCode.Unavailable, `the gateway at ${context.gateway} is unavailable: ${details || 'UNAVAILABLE'}`, {
      ...options,
      hint: 'retry in a moment; check the gateway log if it persists',
    });
  }
  const isTlsProblem = reason.startsWith('TLS');
  return new CliError(ExitCode.Unavailable, `cannot reach the gateway at ${context.gateway} (${reason})`, {
    ...options,
    hint: isTlsProblem
      ? 'check --tls-ca/--tls-cert/--tls-key, or use http:// if the gateway serves plaintext'
      : `is shellgate-gateway running? set --gateway or ${EnvVar.Gateway}`,
  });
}

/** Names the transport failure inside grpc-js's details, or undefined when the server itself said UNAVAILABLE. */
function connectionFailureReason(details: string): string | undefined {
  if (/ECONNREFUSED/.test(details)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN|name resolution|DNS resolution/i.test(details)) return 'host not found';
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(details)) return 'host unreachable';
  if (/ECONNRESET|Connection dropped|socket hang up/i.test(details)) return 'connection reset';
  if (/ENOENT/.test(details)) return 'no such socket';
  if (/wrong version number|WRONG_VERSION_NUMBER|packet length too long/i.test(details)) return 'TLS handshake failed: the gateway does not speak TLS';
  if (/self[- ]signed|unable to verify|UNABLE_TO_VERIFY|unable to get (local )?issuer|certificate verify failed/i.test(details)) {
    return 'TLS handshake failed: the gateway certificate is not trusted';
  }
  if (/altnames|hostname\/IP does not match|ERR_TLS_CERT_ALTNAME/i.test(details)) return 'TLS handshake failed: the certificate does not name this host';
  if (/certificate|SSL|TLS|handshake|alert/i.test(details)) return 'TLS handshake failed';
  if (/No connection established|Failed to connect/i.test(details)) return details;
  return undefined;
}

function describeSubject(subject: CallSubject): string | undefined {
  if (subject.kind === undefined) return undefined;
  return subject.name === undefined ? subject.kind : `${subject.kind} "${subject.name}"`;
}

function inWorkspace(subject: CallSubject): string {
  return subject.kind === 'sandbox' && subject.workspace !== undefined ? ` in workspace "${subject.workspace}"` : '';
}
