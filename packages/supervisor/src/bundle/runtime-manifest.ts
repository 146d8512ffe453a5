import { RUNTIME_MANIFEST_FORMAT, RUNTIME_ROOT_PLACEHOLDER } from '@shellgate/driver-sdk/sandbox-runtime';
import type { RuntimeManifest } from '@shellgate/driver-sdk/sandbox-runtime';

import { SUPERVISOR_VERSION } from '../version.js';
import { SUPERVISOR_LOADER_FILE } from './bundle-files.js';

/**
 * The manifest for a bundle whose loader file is `loaderName` (ld-linux-x86-64.so.2 on x86-64
 * glibc). Node runs through the bundled loader with --library-path, so neither the image's
 * libc nor LD_LIBRARY_PATH is involved and children see a clean environment.
 */
export function toRuntimeManifest(loaderName: string): RuntimeManifest {
  const root = RUNTIME_ROOT_PLACEHOLDER;
  return {
    format: RUNTIME_MANIFEST_FORMAT,
    supervisorVersion: SUPERVISOR_VERSION,
    entrypoint: [`${root}/lib/${loaderName}`, '--library-path', `${root}/lib`, `${root}/bin/node`, `${root}/${SUPERVISOR_LOADER_FILE}`],
  };
}
