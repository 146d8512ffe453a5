/**
 * Compute drivers as the gateway runs them: selection (configured or auto-detected),
 * go-plugin style process supervision, and the manager that keeps every driver available.
 *
 * ```ts
 * const selection = selectDrivers(config, { logger });
 * const drivers = new DriverManager(selection, toDriverManagerOptions(config, logger));
 * await drivers.start();
 * drivers.onDriverRestarted((driver) => resync(driver.name));
 * ```
 */
export { BUILTIN_DRIVERS, findBuiltinDriver, installCommands } from './driver-catalog.js';
export type { BuiltinDriver } from './driver-catalog.js';
export { createBuiltinResolver } from './resolve-builtin-driver.js';
export type { BuiltinResolution, BuiltinResolver } from './resolve-builtin-driver.js';
export { builtinPackageStrategy, defaultDetectionStrategies, selectDrivers } from './driver-selection.js';
export type { DetectionStrategy, DriverKind, DriverSelection, DriverSpec, SelectDriversOptions } from './driver-selection.js';
export { DriverProcess, describeExit } from './driver-process.js';
export { prepareDriverRunRoot, resolveDriverRunRoot, sweepStaleRunDirs } from './driver-run-root.js';
export type { PrepareRunRootOptions, RunRootContext } from './driver-run-root.js';
export type { ConnectDriverFn, DriverExit, DriverProcessOptions } from './driver-process.js';
export { DriverManager, toDriverManagerOptions } from './driver-manager.js';
export type { DriverManagerOptions, DriverRestartedListener, DriverUnavailableListener, ManagedDriver } from './driver-manager.js';
export type { SleepFn, SupervisedProcess } from './driver-supervisor.js';
export { DriverLogForwarder, MAX_DRIVER_LINE_BYTES, classifyDriverLine } from './driver-log-forwarder.js';
export { diagnoseExecutable } from './diagnose-executable.js';
export { DriverProtocolError, DriverSelectionError, DriverStartError } from './errors.js';
