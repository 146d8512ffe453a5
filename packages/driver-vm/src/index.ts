/**
 * @shellgate/driver-vm — the micro-VM compute driver: one QEMU micro-VM per sandbox, with its
 * own kernel. Most people run the binary (`shellgate-driver-vm --bind-socket PATH`, and
 * `shellgate-driver-vm prepare` once); this door is for embedding it.
 *
 * ```ts
 * import { createVmDriver, vmDriverConfig } from '@shellgate/driver-vm';
 * ```
 */
export { vmDriverConfig } from './config.js';
export type { VmDriverConfig } from './config.js';
export { createVmDriver } from './create-vm-driver.js';
export type { VmDriverPlatform } from './create-vm-driver.js';
export { DRIVER_NAME, DRIVER_VERSION } from './version.js';
