/**
 * `@shellgate/driver-sdk/testing`: what a driver author needs to test a driver without a
 * gateway. `startTestDriver` serves a driver in-process on a private temp socket;
 * `FakeGateway` drives it the way the gateway does (capabilities, listener requirements,
 * watch with reconnect, periodic list) and mirrors its sandboxes for assertions.
 *
 * ```ts
 * await using driver = await startTestDriver(createMyDriver());
 * await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
 * const sandbox = await gateway.createSandbox({ name: 'demo' });
 * await gateway.waitForSandbox(sandbox.id, 'Ready');
 * ```
 */
export { FakeGateway } from './fake-gateway.js';
export type { FakeGatewayOptions, FakeGatewayStats, SandboxMatch } from './fake-gateway.js';
export type { FakeGatewayPlatformEvent } from './sandbox-mirror.js';
export { FakeGatewayClosedError, FakeGatewayTimeoutError } from './errors.js';
export { buildTestSandbox } from './build-test-sandbox.js';
export type { BuildTestSandboxOptions, TestSandboxInit } from './build-test-sandbox.js';
export { describeSandboxState } from './describe-sandbox-state.js';
export { startTestDriver } from './start-test-driver.js';
export type { StartTestDriverOptions, TestDriverServer } from './start-test-driver.js';
