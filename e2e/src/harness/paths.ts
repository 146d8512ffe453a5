import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute path of an installed workspace package's bin, resolved like an operator's install would. */
export function resolvePackageBin(packageName: string, binName: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = require(manifestPath) as { bin?: Record<string, string> };
  const relative = manifest.bin?.[binName];
  if (relative === undefined) throw new Error(`${packageName} has no bin ${binName}`);
  return join(dirname(manifestPath), relative);
}

export const GATEWAY_BIN = resolvePackageBin('@shellgate/gateway', 'shellgate-gateway');
export const CLI_BIN = resolvePackageBin('@shellgate/cli', 'shellgate');
export const FAKE_DRIVER_BIN = resolvePackageBin('@shellgate/driver-sdk', 'shellgate-fake-driver');
export const CONFORMANCE_BIN = resolvePackageBin('@shellgate/driver-sdk', 'shellgate-driver-conformance');
