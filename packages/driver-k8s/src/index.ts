/**
 * @shellgate/driver-k8s — the Kubernetes compute driver. Most people run the binary
 * (`shellgate-driver-k8s --bind-socket PATH`); this door is for embedding it.
 *
 * ```ts
 * import { createK8sDriver, k8sDriverConfig } from '@shellgate/driver-k8s';
 * ```
 */
export { ImagePullPolicy, k8sDriverConfig } from './config.js';
export type { K8sDriverConfig } from './config.js';
export { RUNTIME_IMAGE_REPOSITORY, createK8sDriver, toDefaultRuntimeImage } from './create-k8s-driver.js';
export { KubernetesAccessError } from './errors.js';
export { DRIVER_NAME, DRIVER_VERSION } from './version.js';
