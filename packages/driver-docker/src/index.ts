/**
 * @shellgate/driver-docker — the Docker compute driver. Most people run the binary
 * (`shellgate-driver-docker --bind-socket PATH`); this door is for embedding it and for tests.
 *
 * ```ts
 * import { createDockerDriver, dockerDriverConfig } from '@shellgate/driver-docker';
 * ```
 */
export { DEFAULT_GATEWAY_PORT, ImagePullPolicy, dockerDriverConfig } from './config.js';
export type { DockerDriverConfig } from './config.js';
export { createDockerDriver, toDockerDriverSettings } from './create-docker-driver.js';
export type { DockerDriverPlatform } from './create-docker-driver.js';
export { DockerDriver } from './docker-driver.js';
export type { DockerDriverDeps } from './docker-driver.js';
export type {
  ContainerCreateSpec,
  ContainerEvent,
  ContainerInfo,
  DockerEngine,
  EngineInfo,
  MountSpec,
  NetworkInfo,
  PullProgress,
} from './engine/docker-engine.js';
export { ContainerState } from './engine/docker-engine.js';
export { toDriverError } from './errors.js';
export { Label, LABEL_PREFIX, MANAGED_BY_VALUE } from './labels.js';
export { GATEWAY_HOSTNAME, SANDBOX_TOKEN_MOUNT_TARGET } from './container/container-spec.js';
export { SandboxStateStore } from './state/sandbox-state-store.js';
export type { DockerDriverSettings } from './settings.js';
export { DRIVER_NAME, DRIVER_VERSION } from './version.js';
