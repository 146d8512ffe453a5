/**
 * @shellgate/api — the OpenShell public API (`openshell.v1`, the subset Shellgate serves)
 * as generated messages and a grpc-js client and service definition.
 *
 * ```ts
 * import { credentials } from '@grpc/grpc-js';
 * import { OpenShellClient } from '@shellgate/api';
 * const client = new OpenShellClient('127.0.0.1:17670', credentials.createInsecure());
 * ```
 */
export {
  ComputeDriverCapabilities,
  ComputeDriverInfo,
  CreateSandboxRequest,
  CreateWorkspaceRequest,
  CreateWorkspaceResponse,
  DeleteSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  DeleteWorkspaceResponse,
  ExecSandboxEvent,
  ExecSandboxInput,
  ExecSandboxRequest,
  GetGatewayInfoRequest,
  GetGatewayInfoResponse,
  GetSandboxLogsRequest,
  GetSandboxLogsResponse,
  GetSandboxRequest,
  GetWorkspaceRequest,
  GetWorkspaceResponse,
  HealthRequest,
  HealthResponse,
  ListSandboxesRequest,
  ListSandboxesResponse,
  ListWorkspacesRequest,
  ListWorkspacesResponse,
  OpenShellClient,
  OpenShellService,
  PlatformEvent,
  Sandbox,
  SandboxCondition,
  SandboxLogLine,
  SandboxPhase,
  SandboxResponse,
  SandboxSpec,
  SandboxStatus,
  SandboxStreamEvent,
  SandboxTemplate,
  ServiceStatus,
  StartSandboxRequest,
  StopSandboxRequest,
  WatchSandboxRequest,
} from './gen/openshell.js';
export type { OpenShellServer } from './gen/openshell.js';
export { ObjectMeta, Workspace, WorkspacePhase, WorkspaceStatus } from './gen/datamodel.js';
export { encodeExecSandboxEvent } from './wire/output-chunk-encoding.js';
export { LOG_ORIGIN_FIELD, LogOrigin, LogSource, toWireLogLevel, toWireLogSource } from './wire/log-source.js';
