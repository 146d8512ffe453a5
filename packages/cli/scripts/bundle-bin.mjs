// Bundles the `shellgate` binary into one file, dist/main.js, after `tsc -b` has compiled
// src/ (entry: dist/bin.js). Why: a CLI process pays for module resolution on every run, and
// the unbundled bin loads ~200 files (grpc-js, the generated API, protobuf runtime); one file
// cuts `gateway health` from ~225 to ~160 ms of CPU (bare node: ~77). The library door
// (dist/index.js) stays unbundled.
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(PACKAGE_DIR, 'dist');

try {
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: [join(DIST, 'bin.js')],
    outfile: join(DIST, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // yaml is imported lazily, only for `-o yaml`, so it stays outside and node resolves it from
    // our dependencies when asked (esbuild's chunk for a lazily imported CommonJS module exposes
    // only `default`, which would break the named import).
    external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`), 'yaml'],
    // grpc-js is CommonJS and calls require(); an ESM bundle has to provide one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
} catch (error) {
  process.stderr.write(`bundle-bin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
