import type { OpenShellServer } from '@shellgate/api';
import { answerHealth, type GatewayInfoSource } from './open-shell-handlers.js';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { bidiRpc, streamingRpc, unaryRpc, type RpcScope } from './rpc-wrappers.js';

/**
 * The OpenShell handler set of callback listeners, which sandboxes can reach: Health only.
 * Everything else is refused, so a sandbox cannot drive the management API through the
 * address it can see. The supervisor session service is served beside it (public-server.ts).
 */
export function createCallbackHandlers(scope: RpcScope, info: GatewayInfoSource): OpenShellServer {
  const refuse = (rpc: string): ShellgateError =>
    new ShellgateError(ErrorCode.PermissionDenied, `${rpc} is not callable on a sandbox callback listener`, {
      hint: 'call the gateway\'s primary API address instead',
    });
  // Sandboxes hold no API token, so nothing here asks for one: Health tells them only that
  // the gateway is up, and everything else is refused whoever calls.
  const open: RpcScope = { ...scope, auth: { bearerToken: undefined } };
  const unaryRefusal = <Req, Res>(rpc: string) => unaryRpc<Req, Res>(open, rpc, async () => { throw refuse(rpc); });
  const streamRefusal = <Req, Res>(rpc: string) => streamingRpc<Req, Res>(open, rpc, async () => { throw refuse(rpc); });
  const bidiRefusal = <Req, Res>(rpc: string) => bidiRpc<Req, Res>(open, rpc, async () => { throw refuse(rpc); });
  return {
    health: answerHealth(open, info),
    getGatewayInfo: unaryRefusal('GetGatewayInfo'),
    createSandbox: unaryRefusal('CreateSandbox'),
    getSandbox: unaryRefusal('GetSandbox'),
    listSandboxes: unaryRefusal('ListSandboxes'),
    deleteSandbox: unaryRefusal('DeleteSandbox'),
    stopSandbox: unaryRefusal('StopSandbox'),
    startSandbox: unaryRefusal('StartSandbox'),
    watchSandbox: streamRefusal('WatchSandbox'),
    getSandboxLogs: unaryRefusal('GetSandboxLogs'),
    execSandbox: streamRefusal('ExecSandbox'),
    execSandboxInteractive: bidiRefusal('ExecSandboxInteractive'),
    createWorkspace: unaryRefusal('CreateWorkspace'),
    getWorkspace: unaryRefusal('GetWorkspace'),
    listWorkspaces: unaryRefusal('ListWorkspaces'),
    deleteWorkspace: unaryRefusal('DeleteWorkspace'),
  };
}
