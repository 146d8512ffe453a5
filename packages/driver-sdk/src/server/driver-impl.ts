import type {
  CreateSandboxRequest,
  CreateSandboxResponse,
  DeleteSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  DeleteWorkspaceResponse,
  EnsureWorkspaceRequest,
  EnsureWorkspaceResponse,
  GetCapabilitiesRequest,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsRequest,
  GetGatewayListenerRequirementsResponse,
  GetSandboxRequest,
  GetSandboxResponse,
  ListSandboxesRequest,
  ListSandboxesResponse,
  StartSandboxRequest,
  StartSandboxResponse,
  StopSandboxRequest,
  StopSandboxResponse,
  ValidateSandboxCreateRequest,
  ValidateSandboxCreateResponse,
  WatchSandboxesEvent,
  WatchSandboxesRequest,
} from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';

/** What every handler receives besides its request. */
export interface CallContext {
  /** Aborted when the caller cancels, the deadline passes, or the server drains past its bound. */
  readonly signal: AbortSignal;
  /** Child logger tagged with the RPC name. */
  readonly logger: Logger;
  /** The caller's deadline, when it set one. */
  readonly deadline: Date | undefined;
  /**
   * The caller's W3C trace context (`traceparent` metadata): the gateway's span for this
   * call when its telemetry exports traces. A driver that makes its own spans parents them here.
   */
  readonly traceparent?: string | undefined;
}

type Handler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res | void> | Res | void;

/**
 * A compute driver, as its author writes it: one method per RPC of
 * `openshell.compute.v1.ComputeDriver`, taking and returning the generated messages.
 * Only `getCapabilities` is required; an RPC without a method answers UNIMPLEMENTED.
 * Throw a {@link ShellgateError} subclass to answer with its gRPC code; anything else
 * answers INTERNAL with a generic message while the cause is logged.
 */
export interface ComputeDriverImpl {
  getCapabilities(
    request: GetCapabilitiesRequest,
    ctx: CallContext,
  ): Promise<GetCapabilitiesResponse> | GetCapabilitiesResponse;
  getGatewayListenerRequirements?: Handler<
    GetGatewayListenerRequirementsRequest,
    GetGatewayListenerRequirementsResponse
  >;
  validateSandboxCreate?: Handler<ValidateSandboxCreateRequest, ValidateSandboxCreateResponse>;
  createSandbox?: Handler<CreateSandboxRequest, CreateSandboxResponse>;
  getSandbox?: Handler<GetSandboxRequest, GetSandboxResponse>;
  listSandboxes?: Handler<ListSandboxesRequest, ListSandboxesResponse>;
  stopSandbox?: Handler<StopSandboxRequest, StopSandboxResponse>;
  startSandbox?: Handler<StartSandboxRequest, StartSandboxResponse>;
  deleteSandbox?: Handler<DeleteSandboxRequest, DeleteSandboxResponse>;
  /** A stream that begins with a full snapshot; {@link WatchHub.subscribe} gives one. */
  watchSandboxes?(request: WatchSandboxesRequest, ctx: CallContext): AsyncIterable<WatchSandboxesEvent>;
  ensureWorkspace?: Handler<EnsureWorkspaceRequest, EnsureWorkspaceResponse>;
  deleteWorkspace?: Handler<DeleteWorkspaceRequest, DeleteWorkspaceResponse>;
  /** Called once after the server has drained, before the process exits. */
  close?(): Promise<void> | void;
}
