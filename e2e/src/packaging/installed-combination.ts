// What the packaging matrix knows of one installed combination: its record in
// combinations.json, its bins, the settings its drivers run with, and what it holds.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_IMAGE } from '../docker/docker-engine.js';
import { e2eObjectName } from '../docker/docker-driver-process.js';
import type { DriverConfigValue } from '../docker/docker-driver-process.js';
import { ApiClient } from '../harness/api-client.js';
import type { GatewayProcess } from '../harness/gateway-process.js';
import { VM_CACHE_DIR, e2eRunDir } from '../vm/vm-engine.js';

/** One install, as scripts/package.mjs writes it to combinations.json. */
export interface Combination {
  readonly name: string;
  readonly roots: readonly string[];
  readonly drivers: readonly string[];
  readonly prefix: string;
  readonly sbom: string;
  readonly absent: { readonly packages: readonly string[]; readonly markers: readonly string[] };
}

export const shortName = (driverPackage: string): string => driverPackage.replace('@shellgate/driver-', '');

/** Env prefixes of the container drivers' settings; other drivers run with their defaults. */
const CONTAINER_DRIVER_ENV_PREFIX: Readonly<Record<string, string>> = { docker: 'SHELLGATE_DOCKER', podman: 'SHELLGATE_PODMAN' };

/**
 * What a driver needs to run in the matrix, as a table and as the env its auto-detected
 * (table-less) instance reads: a container driver gets the local image, never a pull, and its
 * own network and state. A driver landing without an entry runs with its defaults.
 */
export function driverSettings(driver: string, stateDir: string): { table: Record<string, DriverConfigValue>; env: NodeJS.ProcessEnv } {
  if (driver === 'vm') {
    // The prepared cache of scripts/engines/vm.sh when there is one: the driver fetches nothing at start either way.
    const table = { default_image: TEST_IMAGE, state_dir: join(stateDir, 'driver-vm'), cache_dir: VM_CACHE_DIR, run_dir: e2eRunDir('pkg') };
    return { table, env: { SHELLGATE_VM_DEFAULT_IMAGE: table.default_image, SHELLGATE_VM_STATE_DIR: table.state_dir, SHELLGATE_VM_CACHE_DIR: table.cache_dir, SHELLGATE_VM_RUN_DIR: table.run_dir } };
  }
  const prefix = CONTAINER_DRIVER_ENV_PREFIX[driver];
  if (prefix === undefined) return { table: {}, env: {} };
  const table = { default_image: TEST_IMAGE, image_pull_policy: 'Never', network_name: e2eObjectName(`pkg-${driver}`), state_dir: join(stateDir, `driver-${driver}`) };
  const env = {
    [`${prefix}_DEFAULT_IMAGE`]: table.default_image,
    [`${prefix}_IMAGE_PULL_POLICY`]: table.image_pull_policy,
    [`${prefix}_NETWORK`]: table.network_name,
    [`${prefix}_STATE_DIR`]: table.state_dir,
  };
  return { table, env };
}

/** The installed bins: the default install through the meta package's own shims. */
export function installedBins(combination: Combination): { gateway: string; cli: string } {
  const modules = join(combination.prefix, 'node_modules');
  if (combination.name === 'default') {
    return { gateway: join(modules, '@shellgate/shellgate/bin/shellgate-gateway.js'), cli: join(modules, '@shellgate/shellgate/bin/shellgate.js') };
  }
  return { gateway: join(modules, '@shellgate/gateway/dist/main.js'), cli: join(modules, '@shellgate/cli/dist/main.js') };
}

/** Matching files, one a line; grep exits 1 when nothing matches. */
export function runGrep(args: readonly string[]): string {
  try {
    return execFileSync('grep', args, { encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return '';
    throw error;
  }
}

/** Names of every package under `prefix`/node_modules, nested ones too, from their paths. */
export function installedPackageNames(prefix: string): Set<string> {
  const found = execFileSync('find', [join(prefix, 'node_modules'), '-name', 'package.json', '-path', '*/node_modules/*'], { encoding: 'utf8' });
  const names = new Set<string>();
  for (const line of found.split('\n')) {
    const name = /.*\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(line)?.[1];
    if (name !== undefined) names.add(name);
  }
  return names;
}

/** The driver names GetGatewayInfo reports. */
export async function listDrivers(address: string): Promise<string[]> {
  const api = new ApiClient(address);
  try {
    return (await api.info()).computeDrivers.map((driver) => driver.name);
  } finally {
    api.close();
  }
}

/** Keeps the id the gateway logs, for the leftover sweep. */
export function rememberGatewayId(gateway: GatewayProcess, ids: string[]): void {
  const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
  if (typeof ready?.gatewayId === 'string') ids.push(ready.gatewayId);
}
