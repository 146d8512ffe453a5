import type {
  DriverSandbox,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsResponse,
  WatchSandboxesEvent,
} from '../gen/compute_driver.js';
import { ErrorCode, ShellgateError } from '../errors.js';
import type { DriverCallOptions, DriverChannel } from './driver-channel.js';

/**
 * A connected compute driver, as the gateway (or a test) sees it: one promise method per
 * unary RPC of `openshell.compute.v1.ComputeDriver`. Every call has a deadline (the
 * client's `callTimeoutMs` unless `options.timeoutMs` overrides it) and fails only with a
 * ShellgateError whose `code` is the gRPC status; the grpc-js error is its `cause`.
 */
export interface DriverClient extends AsyncDisposable {
  readonly socketPath: string;
  /** What GetCapabilities answered when the client connected. */
  readonly capabilities: GetCapabilitiesResponse;
  getCapabilities(options?: DriverCallOptions): Promise<GetCapabilitiesResponse>;
  getGatewayListenerRequirements(options?: DriverCallOptions): Promise<GetGatewayListenerRequirementsResponse>;
  validateSandboxCreate(sandbox: DriverSandbox, options?: DriverCallOptions): Promise<void>;
  createSandbox(sandbox: DriverSandbox, options?: DriverCallOptions): Promise<void>;
  getSandbox(sandboxId: string, options?: DriverCallOptions): Promise<DriverSandbox>;
  listSandboxes(options?: DriverCallOptions): Promise<DriverSandbox[]>;
  stopSandbox(sandboxId: string, options?: DriverCallOptions): Promise<void>;
  startSandbox(sandboxId: string, options?: DriverCallOptions): Promise<void>;
  /** Resolves true when the sandbox existed, false when the driver did not know it. */
  deleteSandbox(sandboxId: string, options?: DriverCallOptions): Promise<boolean>;
  ensureWorkspace(workspace: string, options?: DriverCallOptions): Promise<void>;
  deleteWorkspace(workspace: string, options?: DriverCallOptions): Promise<void>;
  /**
   * A full snapshot, then live changes. Aborting `signal` or leaving the loop ends it
   * quietly; it has no deadline.
   */
  watchSandboxes(signal?: AbortSignal): AsyncIterable<WatchSandboxesEvent>;
  /** Closes the channel; in-flight calls fail with CANCELLED. Idempotent. */
  close(): Promise<void>;
}

/** Wraps a channel whose driver already answered GetCapabilities. */
export function createDriverClient(channel: DriverChannel, capabilities: GetCapabilitiesResponse): DriverClient {
  const close = async (): Promise<void> => channel.close();
  return {
    socketPath: channel.socketPath,
    capabilities,
    getCapabilities: (options) => channel.callUnary('getCapabilities', {}, options),
    getGatewayListenerRequirements: (options) => channel.callUnary('getGatewayListenerRequirements', {}, options),
    validateSandboxCreate: async (sandbox, options) => {
      await channel.callUnary('validateSandboxCreate', { sandbox }, options);
    },
    createSandbox: async (sandbox, options) => {
      await channel.callUnary('createSandbox', { sandbox }, options);
    },
    getSandbox: async (sandboxId, options) => {
      const response = await channel.callUnary('getSandbox', { sandboxId, sandboxName: '' }, options);
      // An OK answer without a sandbox breaks the contract; say so instead of returning undefined.
      if (response.sandbox === undefined) return missingSandbox(sandboxId, channel.socketPath);
      return response.sandbox;
    },
    listSandboxes: async (options) => (await channel.callUnary('listSandboxes', {}, options)).sandboxes,
    stopSandbox: async (sandboxId, options) => {
      await channel.callUnary('stopSandbox', { sandboxId, sandboxName: '' }, options);
    },
    startSandbox: async (sandboxId, options) => {
      await channel.callUnary('startSandbox', { sandboxId, sandboxName: '' }, options);
    },
    deleteSandbox: async (sandboxId, options) =>
      (await channel.callUnary('deleteSandbox', { sandboxId, sandboxName: '' }, options)).deleted,
    ensureWorkspace: async (workspace, options) => {
      await channel.callUnary('ensureWorkspace', { workspace }, options);
    },
    deleteWorkspace: async (workspace, options) => {
      await channel.callUnary('deleteWorkspace', { workspace }, options);
    },
    watchSandboxes: (signal) => channel.watchSandboxes(signal),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function missingSandbox(sandboxId: string, socketPath: string): never {
  throw new ShellgateError(ErrorCode.Internal, `GetSandbox answered OK without a sandbox for ${JSON.stringify(sandboxId)}`, {
    hint: 'the driver breaks the compute contract; run shellgate-driver-conformance against it',
    details: { rpc: 'GetSandbox', sandboxId, socketPath },
  });
}
