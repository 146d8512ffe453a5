import { ErrorCode, ShellgateError, isShellgateError } from '@shellgate/driver-sdk';

import { kubeMessageOf, kubeStatusOf } from './cluster/kube-status.js';

/** What a failed call was doing, for the message. */
export interface KubeCallContext {
  /** e.g. `create pod shellgate-default-a-1234abcd`. */
  readonly operation: string;
  readonly server: string;
  readonly sandboxId?: string;
}

/** Network failures that mean "the API server cannot be reached". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, errno } = current as { code?: unknown; errno?: unknown };
    if (typeof code === 'string') return code;
    if (typeof errno === 'string') return errno;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { name?: unknown }).name === 'AbortError' || (error as { type?: unknown }).type === 'aborted');
}

/**
 * The one place Kubernetes API failures become driver errors (STYLE.md rule 8). 404 →
 * NOT_FOUND, 409 → ALREADY_EXISTS, 400/422 (the server refused the object) →
 * INVALID_ARGUMENT, 403 (RBAC, or a quota) → FAILED_PRECONDITION with the server's message,
 * which names the user, verb, resource and namespace; 401, 429, 5xx, an unreachable server
 * or a timeout → UNAVAILABLE; anything else → INTERNAL. The cause is kept for the log, never
 * sent. Pinned by errors.test.ts.
 */
export function toDriverError(error: unknown, context: KubeCallContext): ShellgateError {
  if (isShellgateError(error)) return error;
  const status = kubeStatusOf(error);
  const serverMessage = kubeMessageOf(error);
  const what = `${context.operation} (Kubernetes API ${context.server})`;
  const options = { cause: error, details: { operation: context.operation, ...(context.sandboxId === undefined ? {} : { sandboxId: context.sandboxId }) } };
  const said = serverMessage === undefined ? '' : `: ${serverMessage}`;
  switch (status) {
    case 404:
      return new ShellgateError(ErrorCode.NotFound, `${what}: not found${said}`, options);
    case 409:
      return new ShellgateError(ErrorCode.AlreadyExists, `${what}: already exists${said}`, options);
    case 400:
    case 422:
      return new ShellgateError(ErrorCode.InvalidArgument, `${what}: the API server refused it${said}`, options);
    case 403:
      return new ShellgateError(ErrorCode.FailedPrecondition, `${what}: forbidden${said}`, {
        ...options,
        hint: 'grant the driver the permissions of deploy/k8s (see the driver-k8s README), or raise the namespace quota the message names',
      });
    case 401:
      return new ShellgateError(ErrorCode.Unavailable, `${what}: the API server does not accept the driver's credentials${said}`, {
        ...options,
        hint: 'renew the kubeconfig credentials (or the service account token) the driver uses, then restart it',
      });
    case 429:
      return new ShellgateError(ErrorCode.Unavailable, `${what}: the API server is throttling requests${said}`, options);
    default:
      break;
  }
  if (status !== undefined && status >= 500) return new ShellgateError(ErrorCode.Unavailable, `${what}: server error ${status}${said}`, options);
  if (isAbortError(error)) return new ShellgateError(ErrorCode.Unavailable, `${what}: no answer in time (cancelled or past the API timeout)`, options);
  const networkCode = networkCodeOf(error);
  if (networkCode !== undefined && UNREACHABLE_CODES.has(networkCode)) {
    return new ShellgateError(ErrorCode.Unavailable, `${what}: cannot reach the API server (${networkCode})`, {
      ...options,
      hint: 'check that the cluster is up and that the kubeconfig server address is reachable from the driver',
    });
  }
  return new ShellgateError(ErrorCode.Internal, `${what} failed${status === undefined ? '' : ` with HTTP ${status}`}`, options);
}

/**
 * The cluster cannot be used as configured: no kubeconfig found, the API server unreachable,
 * the credentials refused, a permission missing, the namespace missing and not creatable.
 * The operator's setup is at fault, so it is INVALID_ARGUMENT: `runDriverMain` prints the
 * message and hint and the binary exits 2, naming the server, the identity and what is missing.
 */
export class KubernetesAccessError extends ShellgateError {
  constructor(message: string, options: { readonly hint: string; readonly cause?: unknown; readonly details?: Record<string, unknown> }) {
    super(ErrorCode.InvalidArgument, message, options);
    this.name = 'KubernetesAccessError';
  }
}
