import { SUPERVISOR_VERSION } from '../version.js';

/** The placeholder drivers replace with the bundle's mount path inside the sandbox. */
export const ROOT_PLACEHOLDER = '{root}';
export const RUNTIME_MANIFEST_FORMAT = 1;

/** manifest.json of a runtime bundle (docs/supervisor.md, "Runtime bundle"). */
export interface RuntimeManifest {
  readonly format: typeof RUNTIME_MANIFEST_FORMAT;
  readonly supervisorVersion: string;
  /**
   * argv that starts the supervisor, `{root}` standing for the mount path; drivers append
   * `[--tty] -- CMD...`. Node runs through the bundled loader with --library-path, so neither
   * the image's libc nor LD_LIBRARY_PATH is involved and children see a clean environment.
   */
  readonly entrypoint: readonly string[];
}

/** The manifest for a bundle whose loader file is `loaderName` (ld-linux-x86-64.so.2 on x86-64 glibc). */
export function toRuntimeManifest(loaderName: string): RuntimeManifest {
  return {
    format: RUNTIME_MANIFEST_FORMAT,
    supervisorVersion: SUPERVISOR_VERSION,
    entrypoint: [`${ROOT_PLACEHOLDER}/lib/${loaderName}`, '--library-path', `${ROOT_PLACEHOLDER}/lib`, `${ROOT_PLACEHOLDER}/bin/node`, `${ROOT_PLACEHOLDER}/supervisor.mjs`],
  };
}

/** The entrypoint with `{root}` replaced by `root`. */
export function resolveEntrypoint(manifest: RuntimeManifest, root: string): string[] {
  return manifest.entrypoint.map((arg) => arg.replaceAll(ROOT_PLACEHOLDER, root));
}
