import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { BuiltinDriver } from './driver-catalog.js';

/** Where a built-in's bin lives, or why it could not be found. */
export type BuiltinResolution =
  | { readonly isInstalled: true; readonly binPath: string; readonly packageVersion: string }
  | { readonly isInstalled: false; readonly reason: string };

/** Finds a built-in driver's executable; injectable so tests need no installed packages. */
export type BuiltinResolver = (driver: BuiltinDriver) => BuiltinResolution;

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly bin?: string | Readonly<Record<string, string>>;
}

/**
 * Resolves `driver.packageName` the way `import` would from the gateway's own install
 * (global npm, a pnpm project that added both packages), then from each extra base
 * directory (e.g. the current working directory), and reads its package.json `bin`.
 */
export function createBuiltinResolver(extraBaseDirs: readonly string[] = []): BuiltinResolver {
  const requires = [createRequire(import.meta.url), ...extraBaseDirs.map((dir) => createRequire(join(dir, 'noop.js')))];
  return (driver) => {
    let packageJsonPath: string | undefined;
    const failures: string[] = [];
    for (const require of requires) {
      try {
        packageJsonPath = require.resolve(`${driver.packageName}/package.json`);
        break;
      } catch (error) {
        failures.push((error as { code?: string }).code ?? (error as Error).message);
      }
    }
    if (packageJsonPath === undefined) {
      return { isInstalled: false, reason: `package ${driver.packageName} is not installed (${[...new Set(failures)].join(', ')})` };
    }
    return readBin(driver, packageJsonPath);
  };
}

function readBin(driver: BuiltinDriver, packageJsonPath: string): BuiltinResolution {
  let manifest: PackageJson;
  try {
    manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as PackageJson;
  } catch (error) {
    return { isInstalled: false, reason: `cannot read ${packageJsonPath}: ${(error as Error).message}` };
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[driver.binName];
  if (bin === undefined) {
    return { isInstalled: false, reason: `${packageJsonPath} declares no bin ${driver.binName}; the package is broken or too old` };
  }
  return { isInstalled: true, binPath: resolve(dirname(packageJsonPath), bin), packageVersion: manifest.version ?? 'unknown' };
}
