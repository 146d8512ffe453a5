import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The installed package.json of `packageName`, found on node's module search path, so a
 * package whose `exports` map does not list "./package.json" resolves too.
 */
function findPackageManifest(packageName: string): string {
  for (const directory of require.resolve.paths(packageName) ?? []) {
    const candidate = join(directory, packageName, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${packageName} is not installed for e2e (add it to e2e/package.json and run pnpm install)`);
}

/** Absolute path of an installed workspace package's bin, resolved like an operator's install would. */
export function resolvePackageBin(packageName: string, binName: string): string {
  const manifestPath = findPackageManifest(packageName);
  const manifest = require(manifestPath) as { bin?: Record<string, string> };
  const relative = manifest.bin?.[binName];
  if (relative === undefined) throw new Error(`${packageName} has no bin ${binName}`);
  return join(dirname(manifestPath), relative);
}

/** Repo root, from e2e/dist/harness/. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const GATEWAY_BIN = resolvePackageBin('@shellgate/gateway', 'shellgate-gateway');
export const CLI_BIN = resolvePackageBin('@shellgate/cli', 'shellgate');
export const FAKE_DRIVER_BIN = resolvePackageBin('@shellgate/driver-sdk', 'shellgate-fake-driver');
export const CONFORMANCE_BIN = resolvePackageBin('@shellgate/driver-sdk', 'shellgate-driver-conformance');
export const DOCKER_DRIVER_BIN = resolvePackageBin('@shellgate/driver-docker', 'shellgate-driver-docker');
export const PODMAN_DRIVER_BIN = resolvePackageBin('@shellgate/driver-podman', 'shellgate-driver-podman');
export const VM_DRIVER_BIN = resolvePackageBin('@shellgate/driver-vm', 'shellgate-driver-vm');
export const SUPERVISOR_BIN = resolvePackageBin('@shellgate/supervisor', 'shellgate-supervisor');
export const SUPERVISOR_BUNDLE_BIN = resolvePackageBin('@shellgate/supervisor', 'shellgate-supervisor-bundle');
