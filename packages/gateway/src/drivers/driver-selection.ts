import type { Logger } from '@shellgate/driver-sdk';
import type { DriverConfigEntry, GatewayConfig } from '../config/index.js';
import { BUILTIN_DRIVERS, findBuiltinDriver, installCommands } from './driver-catalog.js';
import type { BuiltinDriver } from './driver-catalog.js';
import { DriverSelectionError } from './errors.js';
import { createBuiltinResolver } from './resolve-builtin-driver.js';
import type { BuiltinResolver } from './resolve-builtin-driver.js';

export type DriverKind = 'builtin' | 'command' | 'socket';

/** A driver the manager will run or dial, fully resolved. */
export interface DriverSpec {
  readonly name: string;
  readonly kind: DriverKind;
  /** argv to spawn (builtin: node + the package's bin; command: as configured). */
  readonly command?: readonly string[];
  /** Socket to dial (kind `socket` only). */
  readonly socketPath?: string;
  /** The driver's own settings, written to its --config file. */
  readonly driverConfig: Readonly<Record<string, unknown>>;
  /** npm package of a built-in, for hints. */
  readonly packageName?: string;
  /** Where the driver came from: `FILE:LINE:drivers.NAME`, flag, env or `auto-detect`. */
  readonly origin: string;
}

export interface DriverSelection {
  readonly drivers: readonly DriverSpec[];
  readonly defaultDriverName: string;
}

/** One named way to find a driver when none is configured; the first that matches wins. */
export interface DetectionStrategy {
  readonly name: string;
  detect(): DriverSpec | { readonly skippedBecause: string };
}

export interface SelectDriversOptions {
  /** Default: resolve packages from the gateway's install. */
  readonly resolveBuiltin?: BuiltinResolver;
  /** Interpreter for built-in bins. Default `process.execPath`. */
  readonly execPath?: string;
  /** Default: one {@link builtinPackageStrategy} per built-in, in catalog order. */
  readonly strategies?: readonly DetectionStrategy[];
  readonly logger?: Logger;
}

type SelectionConfig = Pick<GatewayConfig, 'drivers' | 'defaultDriver' | 'origins'>;

/**
 * Turns configured driver entries into specs, or auto-detects one when none is configured.
 * Throws {@link DriverSelectionError} naming the package and install command for a
 * configured built-in that is missing, and every attempt when detection finds nothing.
 */
export function selectDrivers(config: SelectionConfig, options: SelectDriversOptions = {}): DriverSelection {
  const resolveBuiltin = options.resolveBuiltin ?? createBuiltinResolver([process.cwd()]);
  const execPath = options.execPath ?? process.execPath;
  const drivers =
    config.drivers.length > 0
      ? config.drivers.map((entry) => toDriverSpec(entry, resolveBuiltin, execPath))
      : [autoDetect(options.strategies ?? defaultDetectionStrategies(resolveBuiltin, execPath), options.logger)];
  return Object.freeze({ drivers: Object.freeze(drivers), defaultDriverName: pickDefault(config, drivers) });
}

/** The auto-detect order: one strategy per built-in package (docker, podman, k8s, vm). */
export function defaultDetectionStrategies(resolveBuiltin: BuiltinResolver, execPath: string): DetectionStrategy[] {
  return BUILTIN_DRIVERS.map((driver) => builtinPackageStrategy(driver, resolveBuiltin, execPath));
}

/** Matches when the built-in's package is installed. */
export function builtinPackageStrategy(driver: BuiltinDriver, resolveBuiltin: BuiltinResolver, execPath: string): DetectionStrategy {
  return {
    name: `${driver.name} (${driver.packageName})`,
    detect: () => {
      const resolution = resolveBuiltin(driver);
      if (!resolution.isInstalled) return { skippedBecause: resolution.reason };
      return builtinSpec(driver, resolution.binPath, execPath, {}, 'auto-detect');
    },
  };
}

function autoDetect(strategies: readonly DetectionStrategy[], logger: Logger | undefined): DriverSpec {
  const attempts: string[] = [];
  for (const strategy of strategies) {
    const outcome = strategy.detect();
    if ('skippedBecause' in outcome) {
      logger?.info('driver auto-detect skipped a candidate', { strategy: strategy.name, reason: outcome.skippedBecause });
      attempts.push(`${strategy.name}: ${outcome.skippedBecause}`);
      continue;
    }
    logger?.info('driver auto-detect chose a driver', { strategy: strategy.name, driver: outcome.name, skipped: attempts });
    return outcome;
  }
  // Names every built-in package (from the catalog, so an install without a driver holds no
  // literal driver package name: the packaging matrix greps for them, issue 14).
  const packageNames = BUILTIN_DRIVERS.map((driver) => driver.packageName);
  throw new DriverSelectionError(`no compute driver is configured and none was detected; tried: ${attempts.join('; ')}`, {
    hint: `install one or more of the built-in driver packages ${packageNames.join(', ')} next to @shellgate/gateway, e.g. ${installCommands(packageNames[0] ?? '')}; or configure a driver with [drivers.NAME] in gateway.toml or --compute-driver-socket [NAME=]PATH`,
    details: { attempts, packageNames },
  });
}

function toDriverSpec(entry: DriverConfigEntry, resolveBuiltin: BuiltinResolver, execPath: string): DriverSpec {
  const common = { name: entry.name, driverConfig: entry.settings, origin: entry.origin };
  if (entry.socket !== undefined) return Object.freeze({ ...common, kind: 'socket', socketPath: entry.socket });
  if (entry.command !== undefined) return Object.freeze({ ...common, kind: 'command', command: entry.command });
  const driver = findBuiltinDriver(entry.name);
  if (driver === undefined) {
    throw new DriverSelectionError(`${entry.origin}: driver ${JSON.stringify(entry.name)} is not a built-in and has neither command nor socket`, {
      hint: `built-in drivers are ${BUILTIN_DRIVERS.map((known) => known.name).join(', ')}; for anything else set command = ["/path/to/driver"] or socket = "/path/to/driver.sock" in [drivers.${entry.name}]`,
      details: { driver: entry.name, origin: entry.origin },
    });
  }
  const resolution = resolveBuiltin(driver);
  if (!resolution.isInstalled) {
    throw new DriverSelectionError(`${entry.origin}: built-in driver ${JSON.stringify(entry.name)} cannot be used: ${resolution.reason}`, {
      hint: `install it with ${installCommands(driver.packageName)}, or remove [drivers.${entry.name}]`,
      details: { driver: entry.name, packageName: driver.packageName, origin: entry.origin },
    });
  }
  return builtinSpec(driver, resolution.binPath, execPath, entry.settings, entry.origin);
}

function builtinSpec(
  driver: BuiltinDriver,
  binPath: string,
  execPath: string,
  driverConfig: Readonly<Record<string, unknown>>,
  origin: string,
): DriverSpec {
  return Object.freeze({
    name: driver.name,
    kind: 'builtin',
    command: Object.freeze([execPath, binPath]),
    driverConfig,
    packageName: driver.packageName,
    origin,
  });
}

function pickDefault(config: SelectionConfig, drivers: readonly DriverSpec[]): string {
  const names = drivers.map((driver) => driver.name);
  if (config.defaultDriver === undefined) return names[0] ?? '';
  if (names.includes(config.defaultDriver)) return config.defaultDriver;
  throw new DriverSelectionError(`${config.origins.default_driver}: default_driver ${JSON.stringify(config.defaultDriver)} is not a configured driver`, {
    hint: `use one of ${names.join(', ')}, or add a [drivers.${config.defaultDriver}] table`,
    details: { defaultDriver: config.defaultDriver, drivers: names },
  });
}
