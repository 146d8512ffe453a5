/**
 * @shellgate/driver-docker — the Docker compute driver. Most people run the binary
 * (`shellgate-driver-docker --bind-socket PATH`); this door is for embedding it.
 *
 * ```ts
 * import { createDockerDriver, dockerDriverConfig } from '@shellgate/driver-docker';
 * ```
 */
export { dockerDriverConfig } from './config.js';
export type { DockerDriverConfig } from './config.js';
export { createDockerDriver } from './create-docker-driver.js';
export type { DockerDriverPlatform } from './create-docker-driver.js';
export { DRIVER_NAME, DRIVER_VERSION } from './version.js';
