// Bundles the `shellgate` binary after `tsc -b` has compiled src/. Two files:
// - dist/shellgate.cjs: the CLI (entry dist/process-main.js) with its dependencies, minified.
//   Why one file: a CLI process pays for module resolution on every run, and the unbundled
//   CLI loads ~200 files (grpc-js, the generated API, protobuf runtime); one file cuts
//   `gateway health` from ~225 to ~160 ms of CPU (bare node: ~77). Why CommonJS: Node 20
//   can use a V8 code cache only for classic scripts (vm.Script), not for ES modules.
// - dist/main.js: the launcher (entry dist/bin.js, node built-ins only) that runs the bundle
//   through a code cache; the bundle's content hash is written in as the cache key. With the
//   cache, `exec NAME -- true` spends ~40 ms less compiling.
// The library door (dist/index.js) stays unbundled.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(PACKAGE_DIR, 'dist');
const BUNDLE = join(DIST, 'shellgate.cjs');
const BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

try {
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: [join(DIST, 'process-main.js')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    // yaml is loaded lazily, only for `-o yaml`; node resolves it from our dependencies when asked.
    external: [...BUILTINS, 'yaml'],
    // version.ts finds package.json relative to its own file.
    define: { 'import.meta.url': '__shellgateBundleUrl' },
    // A vm.Script has no loader for import(); as require() it resolves like any CommonJS require.
    supported: { 'dynamic-import': false },
    banner: { js: "const __shellgateBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const bundleId = createHash('sha256').update(readFileSync(BUNDLE)).digest('hex').slice(0, 20);
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: [join(DIST, 'bin.js')],
    outfile: join(DIST, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: BUILTINS,
    define: { __SHELLGATE_BUNDLE_ID__: JSON.stringify(bundleId) },
    logLevel: 'warning',
  });
} catch (error) {
  process.stderr.write(`bundle-bin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
