import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidArgumentError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { INJECT_SUPERVISOR_KEY, SUPERVISOR_RUNTIME_DIR_KEY, loadSupervisorRuntime } from './supervisor-runtime.js';
import type { SupervisorRuntime } from './supervisor-runtime.js';
import type { SupervisorBundler } from './supervisor-bundler.js';

export interface EnsureSupervisorRuntimeOptions {
  /** `inject_supervisor`: false runs sandboxes without a supervisor. */
  readonly isEnabled: boolean;
  /** `supervisor_runtime_dir`: an operator-built bundle; wins over building one. */
  readonly configuredDir: string | undefined;
  /** Where built bundles are cached, one directory per bundler fingerprint (e.g. `<state_dir>/runtime`). */
  readonly cacheDir: string;
  /** The installed bundler (`findInstalledSupervisorBundler`); undefined when none is installed. */
  readonly bundler: SupervisorBundler | undefined;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Where sandboxes see the bundle; the SDK's `SUPERVISOR_RUNTIME_TARGET` by default. */
  readonly target?: string;
}

const NO_SUPERVISOR_HINT =
  `either build a bundle with \`shellgate-supervisor-bundle --out DIR\` and set ${SUPERVISOR_RUNTIME_DIR_KEY} = DIR, ` +
  'or install @shellgate/supervisor beside this driver (npm install @shellgate/supervisor) so it builds one itself; ' +
  `to run sandboxes without a supervisor, set ${INJECT_SUPERVISOR_KEY} = false here and requires_supervisor = false in the gateway's driver table`;

/**
 * The supervisor runtime every sandbox runs: the operator's `supervisor_runtime_dir`, else a
 * bundle built once from the installed `@shellgate/supervisor` and cached under `cacheDir`
 * by its fingerprint (a new supervisor or Node gets a new bundle; older ones stay, since
 * stopped sandboxes still mount them). Undefined when injection is off.
 * @throws InvalidArgumentError when injection is on and there is neither a bundle nor a
 *   bundler (the driver exits 2 naming both fixes), or the configured bundle is unreadable.
 */
export async function ensureSupervisorRuntime(options: EnsureSupervisorRuntimeOptions): Promise<SupervisorRuntime | undefined> {
  const { configuredDir, logger } = options;
  const hasConfiguredDir = configuredDir !== undefined && configuredDir !== '';
  if (!options.isEnabled) {
    if (hasConfiguredDir) {
      throw new InvalidArgumentError(`${INJECT_SUPERVISOR_KEY} = false contradicts ${SUPERVISOR_RUNTIME_DIR_KEY} = ${JSON.stringify(configuredDir)}`, {
        hint: `remove one of the two settings`,
      });
    }
    logger.warn('supervisor injection is off: sandboxes run without a supervisor, so the gateway needs requires_supervisor = false for this driver');
    return undefined;
  }
  if (hasConfiguredDir) return loadSupervisorRuntime(configuredDir, options.target);
  if (options.bundler === undefined) {
    throw new InvalidArgumentError(`no supervisor runtime: ${SUPERVISOR_RUNTIME_DIR_KEY} is not set and @shellgate/supervisor is not installed beside the driver`, {
      hint: NO_SUPERVISOR_HINT,
    });
  }
  return buildOrReuse(options.bundler, options);
}

async function buildOrReuse(bundler: SupervisorBundler, options: EnsureSupervisorRuntimeOptions): Promise<SupervisorRuntime> {
  const signal = options.signal ?? new AbortController().signal;
  const { logger } = options;
  const fingerprint = await bundler.fingerprint(signal);
  const dir = join(options.cacheDir, fingerprint);
  try {
    const cached = await loadSupervisorRuntime(dir, options.target);
    logger.debug('supervisor runtime bundle reused', { dir });
    return cached;
  } catch {
    // Not built yet (or a half-built leftover): build it below.
  }
  await mkdir(options.cacheDir, { recursive: true, mode: 0o700 });
  await chmod(options.cacheDir, 0o700);
  const startedAt = Date.now();
  logger.info('building the supervisor runtime bundle (once per supervisor version; takes a few seconds)', { dir, bundler: bundler.description });
  await bundler.build(dir, signal);
  logger.info('supervisor runtime bundle built', { dir, durationMs: Date.now() - startedAt });
  return loadSupervisorRuntime(dir, options.target);
}
