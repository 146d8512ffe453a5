import type { ComputeDriverInfo, OpenShellServer, ServiceStatus } from '@shellgate/api';
import { ErrorCode, ShellgateError, findSandboxNameProblems, findLabelProblems, throwIfProblems } from '@shellgate/driver-sdk';
import { parseLabelSelector, type LabelSelector } from '../labels/index.js';
import { SandboxNotFoundInWorkspaceError, type SandboxEventBus, type SandboxService } from '../sandboxes/index.js';
import { DEFAULT_WORKSPACE, type GatewayStore } from '../store/index.js';
import { getSandboxLogs, type RemoteSessions, type SandboxExecService, type SandboxLogStore } from '../supervision/index.js';
import { requireName } from './require-name.js';
import { bidiRpc, streamingRpc, unaryRpc, type RpcScope } from './rpc-wrappers.js';
import { streamSandboxChanges } from './watch-sandbox-stream.js';

/** What the public API reads about the gateway itself. */
export interface GatewayInfoSource {
  readonly version: string;
  computeDrivers(): ComputeDriverInfo[];
  /** Healthy when every driver answers and the storage takes writes, Degraded otherwise. */
  status(): ServiceStatus;
}

export interface OpenShellHandlerDeps extends RpcScope {
  readonly sandboxes: SandboxService;
  readonly store: GatewayStore;
  readonly events: SandboxEventBus;
  readonly info: GatewayInfoSource;
  readonly logs: SandboxLogStore;
  readonly exec: SandboxExecService;
  /** Set when replicas share the store: logs of a session held elsewhere are read there. */
  readonly remote?: RemoteSessions;
}

/**
 * Health without the bearer token, as upstream serves it, so a client's or an orchestrator's
 * probe works against an auth-enabled gateway. It tells only what Health always tells (the
 * status and the version); nothing else is reachable without the token.
 */
export function answerHealth(scope: RpcScope, info: GatewayInfoSource): OpenShellServer['health'] {
  return unaryRpc({ ...scope, auth: { bearerToken: undefined } }, 'Health', async () => ({ status: info.status(), version: info.version }));
}

/** The `openshell.v1.OpenShell` handlers Shellgate serves on its primary listener. */
export function createOpenShellHandlers(deps: OpenShellHandlerDeps): OpenShellServer {
  const ws = (workspace: string): string => workspace || DEFAULT_WORKSPACE;
  return {
    health: answerHealth(deps, deps.info),
    getGatewayInfo: unaryRpc(deps, 'GetGatewayInfo', async () => ({
      status: deps.info.status(),
      gatewayVersion: deps.info.version,
      computeDrivers: deps.info.computeDrivers(),
    })),
    createSandbox: unaryRpc(deps, 'CreateSandbox', async (request) => ({ sandbox: await deps.sandboxes.create(request) })),
    getSandbox: unaryRpc(deps, 'GetSandbox', async (request) => ({
      sandbox: await deps.sandboxes.get(ws(request.workspace), requireName(request.name, 'name', 'GetSandbox')),
    })),
    listSandboxes: unaryRpc(deps, 'ListSandboxes', async (request) => ({
      sandboxes: await deps.sandboxes.list({
        workspace: request.allWorkspaces ? undefined : ws(request.workspace),
        labelSelector: parseSelectorField(request.labelSelector),
        limit: request.limit,
        offset: request.offset,
      }),
    })),
    deleteSandbox: unaryRpc(deps, 'DeleteSandbox', async (request) => {
      const workspace = ws(request.workspace);
      // Upstream answers NOT_FOUND for a name it does not hold, never OK with deleted=false.
      if (!(await deps.sandboxes.delete(workspace, requireName(request.name, 'name', 'DeleteSandbox')))) {
        throw new SandboxNotFoundInWorkspaceError(workspace, request.name);
      }
      return { deleted: true };
    }),
    stopSandbox: unaryRpc(deps, 'StopSandbox', async (request) => ({
      sandbox: await deps.sandboxes.stop(ws(request.workspace), requireName(request.name, 'name', 'StopSandbox')),
    })),
    startSandbox: unaryRpc(deps, 'StartSandbox', async (request) => ({
      sandbox: await deps.sandboxes.start(ws(request.workspace), requireName(request.name, 'name', 'StartSandbox')),
    })),
    watchSandbox: streamingRpc(deps, 'WatchSandbox', (call) => {
      requireName(call.request.id, 'id', 'WatchSandbox');
      return streamSandboxChanges(call, deps.store, deps.events, deps.logs, deps.remote);
    }),
    getSandboxLogs: unaryRpc(deps, 'GetSandboxLogs', (request) => getSandboxLogs(deps.store, deps.logs, request, deps.remote)),
    execSandbox: streamingRpc(deps, 'ExecSandbox', (call) => deps.exec.exec(call)),
    execSandboxInteractive: bidiRpc(deps, 'ExecSandboxInteractive', (call) => deps.exec.execInteractive(call)),
    createWorkspace: unaryRpc(deps, 'CreateWorkspace', async (request) => {
      throwIfProblems(`workspace ${JSON.stringify(request.name)}`, [
        ...findSandboxNameProblems(request.name, 'name'),
        ...findLabelProblems(request.labels, 'labels'),
      ]);
      return { workspace: await deps.store.createWorkspace(request.name, request.labels) };
    }),
    getWorkspace: unaryRpc(deps, 'GetWorkspace', async (request) => {
      const workspace = await deps.store.getWorkspace(requireName(request.name, 'name', 'GetWorkspace'));
      if (workspace === undefined) throw workspaceNotFound(request.name);
      return { workspace };
    }),
    listWorkspaces: unaryRpc(deps, 'ListWorkspaces', async (request) => ({
      workspaces: await deps.store.listWorkspaces({
        labelSelector: parseSelectorField(request.labelSelector),
        limit: request.limit,
        offset: request.offset,
      }),
    })),
    deleteWorkspace: unaryRpc(deps, 'DeleteWorkspace', async (request) => {
      if ((await deps.store.getWorkspace(requireName(request.name, 'name', 'DeleteWorkspace'))) === undefined) throw workspaceNotFound(request.name);
      // The default workspace is never deleted (the store refuses it below), so the drivers
      // must not be told to delete theirs either.
      if (request.name !== DEFAULT_WORKSPACE && (await deps.store.countSandboxes({ workspace: request.name })) === 0) {
        await deps.sandboxes.deleteWorkspaceInDrivers(request.name);
      }
      return { deleted: await deps.store.deleteWorkspace(request.name) };
    }),
  };
}

function workspaceNotFound(name: string): ShellgateError {
  return new ShellgateError(ErrorCode.NotFound, `workspace ${JSON.stringify(name)} not found`, {
    hint: 'list workspaces with `shellgate workspace list`',
  });
}

function parseSelectorField(text: string): LabelSelector | undefined {
  return text.trim() === '' ? undefined : parseLabelSelector(text);
}
