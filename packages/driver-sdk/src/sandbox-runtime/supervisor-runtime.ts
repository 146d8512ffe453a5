import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { InvalidArgumentError } from '../errors.js';
import { RUNTIME_MANIFEST_FILE, RuntimeManifestProblem, decodeRuntimeManifest, resolveEntrypoint } from './runtime-manifest.js';
import { SUPERVISOR_RUNTIME_TARGET } from './sandbox-paths.js';

/** The config key every driver that mounts a bundle names it by. */
export const SUPERVISOR_RUNTIME_DIR_KEY = 'supervisor_runtime_dir';
/** The config key that turns supervisor injection off. */
export const INJECT_SUPERVISOR_KEY = 'inject_supervisor';

const BUILD_HINT =
  `build one with \`shellgate-supervisor-bundle --out DIR\` and set ${SUPERVISOR_RUNTIME_DIR_KEY} to DIR, or unset ` +
  `${SUPERVISOR_RUNTIME_DIR_KEY} to let the driver build one from the installed @shellgate/supervisor`;

/** A validated supervisor runtime bundle: what every sandbox mounts and runs. */
export interface SupervisorRuntime {
  /** Absolute directory on the engine's host, mounted read-only at {@link SUPERVISOR_RUNTIME_TARGET}. */
  readonly hostDir: string;
  /** The sandbox entrypoint: the manifest's, with `{root}` replaced by the mount target. */
  readonly entrypoint: readonly string[];
  readonly supervisorVersion: string;
}

function bundleError(dir: string, problem: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${SUPERVISOR_RUNTIME_DIR_KEY} ${JSON.stringify(dir)} is not a supervisor runtime bundle: ${problem}`, {
    hint: BUILD_HINT,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads and checks the bundle at `dir` (its `manifest.json`), once, at driver start. A
 * relative `dir` is taken from the driver's working directory.
 * @param target where the sandbox sees the bundle; default {@link SUPERVISOR_RUNTIME_TARGET}.
 * @throws InvalidArgumentError naming the key and how to build a bundle (the driver exits 2).
 */
export async function loadSupervisorRuntime(dir: string, target: string = SUPERVISOR_RUNTIME_TARGET): Promise<SupervisorRuntime> {
  const hostDir = resolve(dir);
  const manifestPath = join(hostDir, RUNTIME_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw bundleError(dir, `cannot read ${manifestPath} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  try {
    const manifest = decodeRuntimeManifest(text);
    return { hostDir, entrypoint: resolveEntrypoint(manifest, target), supervisorVersion: manifest.supervisorVersion };
  } catch (error) {
    if (error instanceof RuntimeManifestProblem) throw bundleError(dir, `${manifestPath}: ${error.message}`, error);
    throw error;
  }
}
