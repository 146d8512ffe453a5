/**
 * `@shellgate/driver-sdk/testing`: what a driver author needs to test a driver without a
 * gateway. `startTestDriver` serves a driver in-process on a private temp socket;
 * `FakeGateway` drives it the way the gateway does (capabilities, listener requirements,
 * watch with reconnect, periodic list) and mirrors its sandboxes for assertions;
 * `runConformance` runs the contract suite of `shellgate-driver-conformance` from a test.
 * For gateway-side tests, `FakeDriver` is the scriptable fake driver behind
 * `shellgate-fake-driver`. `addTerminationCleanup` makes a test or benchmark process stop
 * what it started (child processes, engine objects) when it gets SIGTERM or SIGINT.
 *
 * ```ts
 * await using driver = await startTestDriver(createMyDriver());
 * await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
 * const sandbox = await gateway.createSandbox({ name: 'demo' });
 * await gateway.waitForSandbox(sandbox.id, 'Ready');
 * const report = await runConformance({ socketPath: driver.socketPath });
 * assert.equal(report.failed, 0);
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

// ── The conformance kit, for a driver's own tests ──
export { CONFORMANCE_CHECK_NAMES, DEFAULT_DRIVER_CLAIMS, parseDriverClaims, runConformance } from '../conformance/index.js';
export type { CheckResult, CheckStatus, ConformanceReport, DriverClaims, RunConformanceOptions } from '../conformance/index.js';

// ── The scriptable fake driver, for gateway tests ──
export { FakeDriver, parseFakeDriverScript } from '../fake-driver/index.js';
export type { FakeDriverOptions, FakeDriverScript, ScriptedResponse, ScriptedWatchEvent } from '../fake-driver/index.js';
export { RecordingLogger } from './recording-logger.js';
export type { RecordedLogLine } from './recording-logger.js';

// ── Harnesses that clean up when they are killed ──
export { addTerminationCleanup, isTerminating } from './termination-cleanups.js';
export type { TerminationCleanupHandle } from './termination-cleanups.js';
