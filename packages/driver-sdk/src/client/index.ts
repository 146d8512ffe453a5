/**
 * The gateway's side of the compute contract: dial a driver's Unix socket and call it
 * with typed promises, deadlines and ShellgateErrors.
 *
 * ```ts
 * const driver = await connectDriver('/run/shellgate/docker.sock');
 * const sandboxes = await driver.listSandboxes();
 * await driver.close();
 * ```
 */
export { connectDriver } from './connect-driver.js';
export type { ConnectDriverOptions } from './connect-driver.js';
export type { DriverClient } from './driver-client.js';
export type { DriverCallObserver, DriverCallOptions, ObservedDriverCall } from './driver-channel.js';
export { isGrpcServiceError, toDriverCallError } from './to-driver-call-error.js';
export type { DriverCallDescription } from './to-driver-call-error.js';
