/**
 * The supervisor runtime bundle's `manifest.json`: one definition for the writer
 * (`shellgate-supervisor-bundle`) and every reader (each driver that mounts a bundle).
 *
 * ```json
 * {"format":1,"supervisorVersion":"0.1.0","entrypoint":["{root}/lib/ld-linux-x86-64.so.2","--library-path","{root}/lib","{root}/bin/node","{root}/supervisor.cjs"]}
 * ```
 */

/** The file name inside a bundle directory. */
export const RUNTIME_MANIFEST_FILE = 'manifest.json';
/** The manifest format this SDK writes and reads. */
export const RUNTIME_MANIFEST_FORMAT = 1;
/** Stands for the bundle's mount point in the entrypoint. */
export const RUNTIME_ROOT_PLACEHOLDER = '{root}';

export interface RuntimeManifest {
  readonly format: typeof RUNTIME_MANIFEST_FORMAT;
  readonly supervisorVersion: string;
  /**
   * argv that starts the supervisor, `{root}` standing for the mount path; drivers append
   * the supervisor's arguments (`toSupervisorArgs`).
   */
  readonly entrypoint: readonly string[];
}

/** Why a manifest text was refused; the caller names the file and the fix. */
export class RuntimeManifestProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeManifestProblem';
  }
}

function isNonEmptyStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
}

/** The manifest as written to disk: pretty JSON with a trailing newline. */
export function encodeRuntimeManifest(manifest: RuntimeManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Reads a manifest: `{"format": 1, "entrypoint": [non-empty strings], "supervisorVersion"?: string}`.
 * @throws RuntimeManifestProblem saying what is wrong.
 */
export function decodeRuntimeManifest(text: string): RuntimeManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RuntimeManifestProblem('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RuntimeManifestProblem('it is not a JSON object');
  const { format, entrypoint, supervisorVersion } = value as Record<string, unknown>;
  if (format !== RUNTIME_MANIFEST_FORMAT) {
    throw new RuntimeManifestProblem(`its format is ${JSON.stringify(format)}, this SDK reads format ${RUNTIME_MANIFEST_FORMAT}`);
  }
  if (!isNonEmptyStringArray(entrypoint)) throw new RuntimeManifestProblem('its entrypoint must be a non-empty array of non-empty strings');
  return { format, entrypoint, supervisorVersion: typeof supervisorVersion === 'string' ? supervisorVersion : '' };
}

/** The entrypoint with `{root}` replaced by `root` (the mount path, or the host dir for a self-test). */
export function resolveEntrypoint(manifest: RuntimeManifest, root: string): string[] {
  return manifest.entrypoint.map((arg) => arg.replaceAll(RUNTIME_ROOT_PLACEHOLDER, root));
}
