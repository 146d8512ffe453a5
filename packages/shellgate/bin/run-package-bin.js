// npm links the bins of the package an operator installs, not those of its dependencies:
// these shims put `shellgate` and `shellgate-gateway` on PATH for `npm install -g
// @shellgate/shellgate` by running the dependency's own bin in this process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** Imports `binName` of `packageName`, resolved from this package's own dependencies. */
export async function runPackageBin(packageName, binName) {
  const manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const binPath = resolve(dirname(manifestPath), manifest.bin[binName]);
  // The bin then sees itself as argv[1], as when npm links it directly.
  process.argv[1] = binPath;
  await import(pathToFileURL(binPath).href);
}
