/**
 * The sandbox runtime contract every driver shares: where things live inside a sandbox, the
 * supervisor runtime bundle (manifest, loading, building one from the installed supervisor),
 * the supervisor's arguments, the driver's state dir and token/state files, and the label
 * vocabulary. Also importable alone as `@shellgate/driver-sdk/sandbox-runtime` (no gRPC
 * server code), which is how the supervisor's bundle writer uses the manifest format.
 */
export { GATEWAY_CALLBACK_HOSTNAME, SANDBOX_TOKEN_TARGET, SUPERVISOR_RUNTIME_TARGET, SUPERVISOR_TLS_TARGETS, toCallbackEndpoint } from './sandbox-paths.js';
export { formatListenerAddress, parseListenerAddress } from './listener-address.js';
export type { ListenerAddress } from './listener-address.js';
export {
  RUNTIME_MANIFEST_FILE,
  RUNTIME_MANIFEST_FORMAT,
  RUNTIME_ROOT_PLACEHOLDER,
  RuntimeManifestProblem,
  decodeRuntimeManifest,
  encodeRuntimeManifest,
  resolveEntrypoint,
} from './runtime-manifest.js';
export type { RuntimeManifest } from './runtime-manifest.js';
export { INJECT_SUPERVISOR_KEY, SUPERVISOR_RUNTIME_DIR_KEY, loadSupervisorRuntime } from './supervisor-runtime.js';
export type { SupervisorRuntime } from './supervisor-runtime.js';
export { findInstalledSupervisorBundler, toCommandBundler } from './supervisor-bundler.js';
export type { SupervisorBundler } from './supervisor-bundler.js';
export { ensureSupervisorRuntime } from './ensure-supervisor-runtime.js';
export type { EnsureSupervisorRuntimeOptions } from './ensure-supervisor-runtime.js';
export { currentDriverPlatform, prepareDriverRuntime } from './prepare-driver-runtime.js';
export type { DriverPlatform, DriverRuntime, DriverRuntimeConfig, PrepareDriverRuntimeOptions } from './prepare-driver-runtime.js';
export { toSupervisorArgs } from './supervisor-args.js';
export { SUPERVISOR_TLS_CONFIG_KEYS, toDeliveredSandboxTlsFiles, toSandboxTlsFiles, toSupervisorTls, toSupervisorTlsPlacements } from './supervisor-tls.js';
export type { SupervisorTlsConfig, SupervisorTlsFiles, SupervisorTlsPlacement } from './supervisor-tls.js';
export type { SupervisorArgsOptions } from './supervisor-args.js';
export { ROOT_STATE_ROOT, resolveDriverStateDir } from './driver-state-dir.js';
export type { ResolveDriverStateDirOptions } from './driver-state-dir.js';
export { SandboxFileStore } from './sandbox-file-store.js';
export { setPendingReady, toFailedPendingSandbox, toPendingDriverSandbox, toPendingSandbox } from './pending-sandbox.js';
export type { PendingSandbox } from './pending-sandbox.js';
export type { ProvisioningFailure, SandboxFileStoreOptions, SandboxFileSystem, SandboxRecord } from './sandbox-file-store.js';
export {
  MANAGED_BY_VALUE,
  SANDBOX_LABEL_KEYS,
  SandboxLabelName,
  readSandboxOwnership,
  toGatewayOwnedLabels,
  toLabelKeys,
  toOwnershipSelectors,
  toSandboxLabels,
} from './sandbox-labels.js';
export type { LabelKeys, SandboxOwnership } from './sandbox-labels.js';
