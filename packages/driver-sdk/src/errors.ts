import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * The closed set of error codes a driver may answer with. Each maps to exactly one
 * gRPC status code (see {@link toGrpcStatus}); the names are the gRPC names.
 */
export const ErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  FailedPrecondition: 'FAILED_PRECONDITION',
  Aborted: 'ABORTED',
  Unavailable: 'UNAVAILABLE',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  Cancelled: 'CANCELLED',
  PermissionDenied: 'PERMISSION_DENIED',
  Unauthenticated: 'UNAUTHENTICATED',
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  Unimplemented: 'UNIMPLEMENTED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const GRPC_STATUS_BY_CODE: Readonly<Record<ErrorCode, GrpcStatus>> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ABORTED: GrpcStatus.ABORTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  CANCELLED: GrpcStatus.CANCELLED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** The gRPC status code a Shellgate error code travels as. */
export function toGrpcStatus(code: ErrorCode): GrpcStatus {
  return GRPC_STATUS_BY_CODE[code];
}

/** The Shellgate error code for a gRPC status; codes outside our set become INTERNAL. */
export function fromGrpcStatus(grpcStatus: number): ErrorCode {
  for (const [code, value] of Object.entries(GRPC_STATUS_BY_CODE)) {
    if ((value as number) === grpcStatus) return code as ErrorCode;
  }
  return ErrorCode.Internal;
}

const SHELLGATE_ERROR_BRAND = Symbol.for('shellgate.ShellgateError');

export interface ShellgateErrorOptions {
  /** What the operator or caller should do next. */
  hint?: string;
  /** Ids and values the error concerns, for logs. Never secrets. */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * Longest message (and hint) an error carries. Errors travel as gRPC status details in HTTP/2
 * trailers; a message quoting a 300 KB input made the trailer too large to deliver, and the
 * client got no answer at all and lost its connection (issue 10).
 */
export const MAX_ERROR_MESSAGE_CHARS = 2048;

/** `text`, cut to `maxChars` with a note of how long it was. */
export function truncateText(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (${text.length} chars)`;
}

/**
 * A value quoted for an error message (JSON), cut to `maxChars`: errors name what the caller
 * sent without echoing an oversized input back.
 */
export function quoteValue(value: unknown, maxChars = 128): string {
  const text = typeof value === 'string' ? value : String(value);
  return text.length <= maxChars ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, maxChars))}… (${text.length} chars)`;
}

/**
 * Base of every Shellgate error: a code from {@link ErrorCode}, a message naming the
 * object and the reason, and an optional hint. Recognise it with {@link isShellgateError},
 * which works across two loaded copies of the SDK (gateway and driver may differ).
 */
export class ShellgateError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: ShellgateErrorOptions = {}) {
    super(truncateText(message, MAX_ERROR_MESSAGE_CHARS), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShellgateError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : truncateText(options.hint, MAX_ERROR_MESSAGE_CHARS);
    this.details = options.details;
    Object.defineProperty(this, SHELLGATE_ERROR_BRAND, { value: true });
  }

  /** Message plus hint, as a single line fit for a gRPC status detail or a terminal. */
  describe(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export function isShellgateError(value: unknown): value is ShellgateError {
  return typeof value === 'object' && value !== null && SHELLGATE_ERROR_BRAND in value;
}

export class InvalidArgumentError extends ShellgateError {
  constructor(message: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.InvalidArgument, message, options);
    this.name = 'InvalidArgumentError';
  }
}

export class FailedPreconditionError extends ShellgateError {
  constructor(message: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.FailedPrecondition, message, options);
    this.name = 'FailedPreconditionError';
  }
}

export class UnavailableError extends ShellgateError {
  constructor(message: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.Unavailable, message, options);
    this.name = 'UnavailableError';
  }
}

export class InternalError extends ShellgateError {
  constructor(message: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.Internal, message, options);
    this.name = 'InternalError';
  }
}

/** No sandbox with this id (or name) exists in the driver's backend. */
export class SandboxNotFoundError extends ShellgateError {
  readonly sandboxId: string;
  constructor(sandboxId: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.NotFound, `sandbox ${quoteValue(sandboxId)} not found`, {
      ...options,
      details: { sandboxId, ...options?.details },
    });
    this.name = 'SandboxNotFoundError';
    this.sandboxId = sandboxId;
  }
}

/** A sandbox with this id already exists; creates are not upserts. */
export class SandboxAlreadyExistsError extends ShellgateError {
  readonly sandboxId: string;
  constructor(sandboxId: string, options?: ShellgateErrorOptions) {
    super(ErrorCode.AlreadyExists, `sandbox ${quoteValue(sandboxId)} already exists`, {
      ...options,
      details: { sandboxId, ...options?.details },
    });
    this.name = 'SandboxAlreadyExistsError';
    this.sandboxId = sandboxId;
  }
}

/** A watch subscriber fell behind its bounded buffer; it must reconnect and re-snapshot. */
export class WatchSubscriberLaggedError extends ShellgateError {
  constructor(bufferSize: number) {
    super(ErrorCode.Aborted, `watch subscriber fell more than ${bufferSize} events behind`, {
      hint: 'reconnect the watch; the new stream starts with a full snapshot',
      details: { bufferSize },
    });
    this.name = 'WatchSubscriberLaggedError';
  }
}
