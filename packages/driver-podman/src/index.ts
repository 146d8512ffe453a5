/**
 * @shellgate/driver-podman — the Podman compute driver. Most people run the binary
 * (`shellgate-driver-podman --bind-socket PATH`); this door is for embedding it.
 *
 * ```ts
 * import { createPodmanDriver, podmanDriverConfig } from '@shellgate/driver-podman';
 * ```
 */
export { NetworkMode, podmanDriverConfig } from './config.js';
export type { PodmanDriverConfig } from './config.js';
export { createPodmanDriver } from './create-podman-driver.js';
export type { PodmanDriverPlatform } from './create-podman-driver.js';
export { MIN_PODMAN_VERSION } from './engine/check-podman-service.js';
export { DRIVER_NAME, DRIVER_VERSION } from './version.js';
