/**
 * @shellgate/container-engine — what the Docker and Podman drivers share: a client for an
 * engine's HTTP API over its Unix socket, JSON-lines streams, engine socket discovery, engine
 * error mapping, decoders for the payloads of the Docker-compatible API and libpod, and a
 * sandbox as a container: naming, conditions, the asynchronous create, inventory, events and
 * the watch adapter. Engine-specific calls (Docker's create body, libpod's spec generator)
 * stay in each driver. Its fake engine is behind `@shellgate/container-engine/testing`.
 *
 * ```ts
 * import { EngineHttpClient, detectEngineHost, toEngineDriverError } from '@shellgate/container-engine';
 * ```
 */
export type { EngineNaming } from './engine-naming.js';
export { OWNING_GATEWAY_CONFIG_KEYS } from './owning-gateway-config-keys.js';
export { EngineHostNotFoundError, engineMessageOf, toEngineDriverError } from './errors.js';
export type { EngineCallContext } from './errors.js';

export { parseEngineHost } from './host/engine-host.js';
export type { EngineHost } from './host/engine-host.js';
export { detectEngineHost, envEndpointStrategy, unixSocketStrategy } from './host/detect-engine-host.js';
export type { DetectEngineHostOptions, EngineHostStrategy } from './host/detect-engine-host.js';

export { EngineHttpClient, encodePathName, toFiltersQuery } from './http/engine-http-client.js';
export type {
  EngineHttpClientOptions,
  EngineHttpMethod,
  EnginePing,
  EngineRequest,
  EngineResponse,
  QueryValue,
} from './http/engine-http-client.js';
export { EngineHttpError, unlessNotFound } from './http/engine-http-error.js';
export { readJsonLines } from './http/read-json-lines.js';

export { asRecord, readString, readStringMap, readStrings } from './payload/json-record.js';
export type { JsonRecord } from './payload/json-record.js';
export { ContainerState, decodeContainerInspect } from './payload/container-info.js';
export type { ContainerInfo } from './payload/container-info.js';
export { decodeContainerEvent, readContainerEvents } from './payload/container-event.js';
export type { ContainerEvent } from './payload/container-event.js';
export { decodeImageInspect } from './payload/image-info.js';
export type { ImageInfo } from './payload/image-info.js';
export { decodeLibpodNetworkInspect, decodeNetworkInspect } from './payload/network-info.js';
export type { LibpodNetworkInfo, NetworkInfo } from './payload/network-info.js';

// ── A sandbox as a container: what the Docker and Podman drivers share above the engine API ──
export { ImagePullPolicy } from './sandbox/container-sandbox-engine.js';
export type { ContainerSandboxEngine, PullProgress } from './sandbox/container-sandbox-engine.js';
export { MAX_CONTAINER_NAME_LENGTH, sanitizeNamePart, toContainerName } from './sandbox/container-name.js';
export { ContainerReason, toContainerConditions, toContainerSandbox } from './sandbox/container-conditions.js';
export type { PendingSandbox } from './sandbox/pending-sandbox.js';
export { ImageUnavailableError, resolveImage } from './sandbox/resolve-image.js';
export { PULL_PROGRESS_INTERVAL_MS, provisionSandbox, toStartedContainerInfo } from './sandbox/provision-sandbox.js';
export type { ContainerSpecBase, ProvisionContext, ProvisionEngine, ResolvedImage } from './sandbox/provision-sandbox.js';
export { ContainerInventory } from './sandbox/container-inventory.js';
export type { ContainerInventoryOptions, SandboxRef } from './sandbox/container-inventory.js';
export { ContainerSandboxDeleter } from './sandbox/container-sandbox-deleter.js';
export type { ContainerSandboxDeleterOptions } from './sandbox/container-sandbox-deleter.js';
export { ContainerComputeDriver } from './sandbox/container-compute-driver.js';
export type { AcceptedSandbox, ContainerDriverDeps, ContainerDriverProfile, SharedProvisionContext } from './sandbox/container-compute-driver.js';
export { toContainerDriverSettings } from './sandbox/container-driver-settings.js';
export type { ContainerDriverConfig, ContainerDriverPlace, ContainerDriverSettings } from './sandbox/container-driver-settings.js';
export { ContainerEvents } from './sandbox/container-events.js';
export type { ContainerEventsOptions } from './sandbox/container-events.js';
export { ContainerWatchAdapter } from './sandbox/container-watch-adapter.js';
export { CallbackNetwork } from './sandbox/callback-network.js';
export type { CallbackNetworkOptions, NetworkCreateSpec, NetworkEngine, ResolvedNetwork } from './sandbox/callback-network.js';
export { NoCommandError, isRootUser, toContainerLabels, toContainerProcess, toGpuCount } from './sandbox/container-process.js';
export type { ContainerProcess, ContainerProcessOptions } from './sandbox/container-process.js';
export { parseCdiDeviceList, parseMountList, refuseBindMounts } from './sandbox/container-mounts.js';
export type { MountSpec } from './sandbox/container-mounts.js';
export { toSupervisorTlsMounts } from './sandbox/supervisor-tls-mounts.js';
export { MIN_CPU_LIMIT_MILLICORES, MIN_MEMORY_LIMIT_BYTES, checkContainerResources } from './sandbox/container-resources.js';
export { resolveBindMounts, toBindMountPolicy, toProtectedHostPaths } from './sandbox/bind-mounts.js';
export type { BindMountPolicy, DriverPlace } from './sandbox/bind-mounts.js';
