import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import { InvalidArgumentError } from '@shellgate/driver-sdk';

/** Where the runtime bundle is mounted read-only in every sandbox (under the SDK's reserved /opt/shellgate). */
export const SUPERVISOR_RUNTIME_TARGET = '/opt/shellgate/runtime';
/** The bundle manifest format this driver reads. */
export const SUPERVISOR_BUNDLE_FORMAT = 1;
/** Stands for the bundle's mount point in the manifest's entrypoint. */
const ROOT_PLACEHOLDER = '{root}';
const CONFIG_KEY = 'supervisor_runtime_dir';
const BUILD_HINT = `build one with \`shellgate-supervisor-bundle --out DIR\` and set ${CONFIG_KEY} to DIR, or unset ${CONFIG_KEY} to run sandboxes without a supervisor (the gateway then needs requires_supervisor = false)`;

/** A validated supervisor runtime bundle: what every sandbox container mounts and runs. */
export interface SupervisorRuntime {
  /** Absolute directory on the engine's host, bind-mounted read-only at {@link SUPERVISOR_RUNTIME_TARGET}. */
  readonly hostDir: string;
  /** The container entrypoint: the manifest's, with `{root}` replaced by the mount target. */
  readonly entrypoint: readonly string[];
  readonly supervisorVersion: string;
}

function isNonEmptyStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
}

function bundleError(dir: string, problem: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${CONFIG_KEY} ${JSON.stringify(dir)} is not a supervisor runtime bundle: ${problem}`, {
    hint: BUILD_HINT,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads and checks the bundle at `dir` once, at driver start: `manifest.json` must be
 * `{"format": 1, "entrypoint": [non-empty strings], "supervisorVersion"?: string}`.
 * A relative `dir` is taken from the driver's working directory.
 * @throws InvalidArgumentError naming the key and how to build a bundle (the driver exits 2).
 */
export async function loadSupervisorRuntime(dir: string): Promise<SupervisorRuntime> {
  const hostDir = isAbsolute(dir) ? dir : resolve(dir);
  const manifestPath = join(hostDir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw bundleError(dir, `cannot read ${manifestPath} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw bundleError(dir, `${manifestPath} is not JSON`, error);
  }
  if (typeof manifest !== 'object' || manifest === null) throw bundleError(dir, `${manifestPath} is not a JSON object`);
  const { format, entrypoint, supervisorVersion } = manifest as Record<string, unknown>;
  if (format !== SUPERVISOR_BUNDLE_FORMAT) throw bundleError(dir, `manifest format is ${JSON.stringify(format)}, this driver reads format ${SUPERVISOR_BUNDLE_FORMAT}`);
  if (!isNonEmptyStringArray(entrypoint)) throw bundleError(dir, 'manifest entrypoint must be a non-empty array of non-empty strings');
  return {
    hostDir,
    entrypoint: entrypoint.map((arg) => arg.replaceAll(ROOT_PLACEHOLDER, SUPERVISOR_RUNTIME_TARGET)),
    supervisorVersion: typeof supervisorVersion === 'string' ? supervisorVersion : '',
  };
}

/** The supervisor's arguments: `--tty` when the main process wants a pty, then `--` and the canonical command. */
export function toSupervisorArgs(canonicalCommand: readonly string[], tty: boolean, user = ''): string[] {
  return [...(tty ? ['--tty'] : []), ...(user === '' ? [] : ['--user', user]), '--', ...canonicalCommand];
}
