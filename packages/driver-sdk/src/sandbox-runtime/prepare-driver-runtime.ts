import { homedir } from 'node:os';
import { join } from 'node:path';

import type { Logger } from '../logging/logger.js';
import { resolveDriverStateDir } from './driver-state-dir.js';
import { ensureSupervisorRuntime } from './ensure-supervisor-runtime.js';
import { findInstalledSupervisorBundler } from './supervisor-bundler.js';
import type { SupervisorBundler } from './supervisor-bundler.js';
import type { SupervisorRuntime } from './supervisor-runtime.js';

/** The state dir's subdirectory for supervisor bundles the driver builds itself. */
const RUNTIME_CACHE_DIR = 'runtime';

/** The platform facts a driver's factory reads; {@link currentDriverPlatform} gives the real ones. */
export interface DriverPlatform {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly homeDir: string;
  /** Builds a supervisor bundle when `supervisor_runtime_dir` is unset; the installed @shellgate/supervisor's by default. */
  readonly supervisorBundler?: SupervisorBundler | undefined;
}

/** This process's environment, user and home directory. */
export function currentDriverPlatform(): DriverPlatform {
  return { env: process.env, uid: process.getuid?.() ?? -1, homeDir: homedir() };
}

/** The config keys, as every driver that runs the supervisor spells them, that say where its state and bundle are. */
export interface DriverRuntimeConfig {
  readonly state_dir: string | undefined;
  readonly inject_supervisor: boolean;
  readonly supervisor_runtime_dir: string | undefined;
}

export interface PrepareDriverRuntimeOptions {
  /** The directory name under the state root, e.g. `driver-docker`. */
  readonly driverDirName: string;
  readonly config: DriverRuntimeConfig;
  readonly platform: DriverPlatform;
  readonly logger: Logger;
  /** The driver's `import.meta.url`: where the installed @shellgate/supervisor is looked up. */
  readonly moduleUrl: string;
}

/** Where a driver keeps its state, and the supervisor bundle its sandboxes run. */
export interface DriverRuntime {
  readonly stateDir: string;
  /** Undefined when `inject_supervisor = false`. */
  readonly supervisorRuntime: SupervisorRuntime | undefined;
}

/**
 * A driver's first start-up step: its state dir (`resolveDriverStateDir`) and its supervisor
 * bundle (`ensureSupervisorRuntime`, building into `<state dir>/runtime`). It runs before the
 * driver looks at its engine, so a missing or bad bundle, the operator's input at fault, exits
 * 2 whatever the engine's state.
 * @throws InvalidArgumentError when there is no usable supervisor bundle and injection is on.
 */
export async function prepareDriverRuntime(options: PrepareDriverRuntimeOptions): Promise<DriverRuntime> {
  const { config, platform, logger } = options;
  const stateDir = resolveDriverStateDir({ driverDirName: options.driverDirName, configured: config.state_dir, env: platform.env, uid: platform.uid, homeDir: platform.homeDir });
  const supervisorRuntime = await ensureSupervisorRuntime({
    isEnabled: config.inject_supervisor,
    configuredDir: config.supervisor_runtime_dir,
    cacheDir: join(stateDir, RUNTIME_CACHE_DIR),
    bundler: 'supervisorBundler' in platform ? platform.supervisorBundler : findInstalledSupervisorBundler(options.moduleUrl),
    logger,
  });
  return { stateDir, supervisorRuntime };
}
