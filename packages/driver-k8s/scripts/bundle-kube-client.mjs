// Replaces dist/cluster/kube-client.js (after `tsc -b`) with one minified ESM bundle of
// @kubernetes/client-node: the names src/cluster/kube-client.ts re-exports and what they use.
// Why: loaded file by file the client costs the driver ~40 MB of RSS (thousands of modules,
// each with its source kept for lazy compilation); one minified file of the same code costs
// ~25 MB less. Built from the TypeScript source, so running it twice gives the same file; the
// .d.ts tsc wrote stays; its source map for the replaced file goes. Node built-ins stay external; the banner gives the bundled CommonJS
// dependencies (node-fetch, js-yaml, ...) a `require`.
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

try {
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: [join(PACKAGE_DIR, 'src', 'cluster', 'kube-client.ts')],
    outfile: join(PACKAGE_DIR, 'dist', 'cluster', 'kube-client.js'),
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
    banner: { js: "import { createRequire as __kubeClientCreateRequire } from 'node:module'; const require = __kubeClientCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  rmSync(join(PACKAGE_DIR, 'dist', 'cluster', 'kube-client.js.map'), { force: true });
} catch (error) {
  process.stderr.write(`bundle-kube-client: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
