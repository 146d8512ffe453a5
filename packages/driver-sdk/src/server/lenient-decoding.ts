import { InvalidArgumentError, truncateText } from '../errors.js';

/**
 * Deepest nesting a decoded request may have (Struct values inside Struct values, lists in
 * lists). Far beyond any real driver_config; a hostile 45-level Struct answered INTERNAL
 * before this check existed (issue 10).
 */
export const MAX_REQUEST_NESTING = 32;

/**
 * Explicit receive limit on every listener and driver socket: a message larger than this is
 * refused by gRPC with RESOURCE_EXHAUSTED before anything decodes it. Big enough for the
 * 1 MiB exec output frames supervisors send.
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

const MALFORMED = Symbol.for('shellgate.MalformedRequest');

/** A request that could not be decoded, carried to the handler in place of the message. */
export interface MalformedRequest {
  readonly [MALFORMED]: true;
  readonly reason: string;
}

export function isMalformedRequest(value: unknown): value is MalformedRequest {
  return typeof value === 'object' && value !== null && MALFORMED in value;
}

/** The INVALID_ARGUMENT a handler answers for a {@link MalformedRequest}. */
export function toMalformedRequestError(request: MalformedRequest, rpc: string): InvalidArgumentError {
  return new InvalidArgumentError(`${rpc} request could not be decoded: ${request.reason}`, {
    hint: 'send a message encoded from the service contract (proto/); int64 values must stay below 2^53 and nesting below 32 levels',
  });
}

/** The depth of nested objects and arrays in `value`, stopping as soon as it passes `limit`. */
function nestingDepth(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || typeof value !== 'object' || value === null || Buffer.isBuffer(value) || value instanceof Uint8Array) return depth;
  let deepest = depth;
  for (const item of Object.values(value)) {
    deepest = Math.max(deepest, nestingDepth(item, limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

function malformed(reason: string): MalformedRequest {
  return { [MALFORMED]: true, reason: truncateText(reason, 256) };
}

/** Decodes with `decode`; a failure or an over-deep message becomes a {@link MalformedRequest}. */
export function decodeLeniently<T>(decode: (buffer: Buffer) => T, buffer: Buffer): T | MalformedRequest {
  let message: T;
  try {
    message = decode(buffer);
  } catch (error) {
    return malformed(error instanceof Error ? error.message : String(error));
  }
  if (nestingDepth(message, MAX_REQUEST_NESTING + 2) > MAX_REQUEST_NESTING + 2) {
    return malformed(`it is nested deeper than ${MAX_REQUEST_NESTING} levels`);
  }
  return message;
}

interface MethodWithRequestDecoder {
  readonly requestDeserialize: (buffer: Buffer) => unknown;
}

/**
 * The service definition with every request decoder made lenient: grpc-js answers a decoder
 * that throws with INTERNAL ("Error deserializing request"); this hands the handler a
 * {@link MalformedRequest} instead, which it answers INVALID_ARGUMENT.
 */
export function withLenientDecoding<S extends Readonly<Record<string, MethodWithRequestDecoder>>>(service: S): S {
  const lenient: Record<string, MethodWithRequestDecoder> = {};
  for (const [name, method] of Object.entries(service)) {
    lenient[name] = { ...method, requestDeserialize: (buffer: Buffer) => decodeLeniently(method.requestDeserialize, buffer) };
  }
  return lenient as S;
}
