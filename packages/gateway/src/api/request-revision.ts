import { ErrorCode, InvalidArgumentError, ShellgateError } from '@shellgate/driver-sdk';
import { readWireFields, WireType, type WireField } from './wire-fields.js';

/** The public API revision this gateway speaks, and the upstream client release that matches it. */
export const API_REVISION = 'openshell.v1 as of OpenShell 0.0.116';
export const MATCHING_CLIENT_RELEASE = 'openshell==0.0.116';

const { Varint: V, Len: L } = WireType;
/** A string field that holds a workspace name: a revised client sends a message there. */
const W = 'workspace';
type FieldShape = typeof V | typeof L | typeof W;

/**
 * The request fields of the 0.0.x revision, by RPC: field number → wire type. OpenShell 0.1
 * reuses the service names with a revised wire (a WorkspaceSelector message where a workspace
 * name was, page_token where offset was, Timestamps and request ids at new numbers), which our
 * decoder would read as different but valid requests: a list that is silently empty, a delete
 * that silently does nothing (issue 15). Any field outside these shapes is that revision.
 */
const REQUEST_SHAPES: Readonly<Record<string, Readonly<Record<number, FieldShape>>>> = {
  Health: {},
  GetGatewayInfo: {},
  CreateSandbox: { 1: L, 2: L, 3: L, 4: L, 5: W },
  GetSandbox: { 1: L, 2: W },
  DeleteSandbox: { 1: L, 2: W },
  StopSandbox: { 1: L, 2: W },
  StartSandbox: { 1: L, 2: W },
  ListSandboxes: { 1: V, 2: V, 3: L, 4: W, 5: V },
  WatchSandbox: { 1: L, 2: V, 3: V, 4: V, 5: V, 6: V, 7: V, 8: V, 9: L, 10: L },
  GetSandboxLogs: { 1: L, 2: V, 3: V, 4: L, 5: L, 6: W },
  ExecSandbox: { 1: L, 2: L, 3: L, 4: L, 5: V, 6: L, 7: V, 8: V, 9: V },
  CreateWorkspace: { 1: L, 2: L },
  GetWorkspace: { 1: L },
  ListWorkspaces: { 1: V, 2: V, 3: L },
  DeleteWorkspace: { 1: L },
};

/** SandboxSpec fields this gateway does not serve although the pinned contract has them. */
const SPEC_POLICY_FIELD = 7;

const REFUSED = Symbol.for('shellgate.RefusedRequest');

/** A request refused from its shape alone, carried to the handler in place of the message. */
export interface RefusedRequest {
  readonly [REFUSED]: ShellgateError;
}

export function isRefusedRequest(value: unknown): value is RefusedRequest {
  return typeof value === 'object' && value !== null && REFUSED in value;
}

/** The error a handler answers for a {@link RefusedRequest}. */
export function toRefusalError(request: RefusedRequest): ShellgateError {
  return request[REFUSED];
}

/**
 * Looks at an encoded request before it is decoded: a request of the revised 0.1 wire is
 * FAILED_PRECONDITION naming our revision and the client that matches; a SandboxSpec.policy
 * is INVALID_ARGUMENT (the gateway enforces no policy, and dropping it silently would let a
 * caller believe it does). Undefined when the request may be decoded.
 */
export function checkRequestShape(rpc: string, buffer: Buffer): RefusedRequest | undefined {
  const shape = REQUEST_SHAPES[rpc];
  const fields = shape === undefined ? undefined : readWireFields(buffer);
  if (shape === undefined || fields === undefined) return undefined;
  const mismatch = fields.find((field) => !fitsShape(field, shape[field.number]));
  if (mismatch !== undefined) return { [REFUSED]: revisedWireError(rpc, mismatch) };
  if (rpc === 'CreateSandbox' && hasSpecPolicy(fields)) {
    return {
      [REFUSED]: new InvalidArgumentError('invalid CreateSandbox request: spec.policy: sandbox policies are not supported by this gateway', {
        hint: 'leave spec.policy unset: Shellgate enforces no sandbox policy, so it refuses one rather than drop it',
      }),
    };
  }
  return undefined;
}

function fitsShape(field: WireField, shape: FieldShape | undefined): boolean {
  if (shape === undefined) return false;
  if (shape !== W) return field.wireType === shape;
  // A workspace name is printable; a WorkspaceSelector message starts with a tag byte (< 0x20).
  return field.wireType === L && !(field.content ?? Buffer.alloc(0)).some((byte) => byte < 0x20);
}

function hasSpecPolicy(fields: readonly WireField[]): boolean {
  return fields.some((field) => field.number === 1 && field.content !== undefined && (readWireFields(field.content) ?? []).some((inner) => inner.number === SPEC_POLICY_FIELD));
}

function revisedWireError(rpc: string, field: WireField): ShellgateError {
  return new ShellgateError(
    ErrorCode.FailedPrecondition,
    `${rpc} request is of a newer OpenShell API revision (its field ${field.number}, wire type ${field.wireType}, has no such shape in ${rpc}'s 0.0 request); this gateway speaks ${API_REVISION}`,
    { hint: `use the client release that matches: pip install '${MATCHING_CLIENT_RELEASE}'`, details: { apiRevision: API_REVISION, clientRelease: MATCHING_CLIENT_RELEASE } },
  );
}
