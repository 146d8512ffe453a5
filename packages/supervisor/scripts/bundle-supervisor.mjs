// Bundles the supervisor (dist/main.js, after `tsc -b`) into ONE file,
// dist/runtime/supervisor.mjs, plus node-pty's native addon beside it (dist/runtime/pty.node).
// Why: drivers bind-mount a runtime bundle into images that have no node_modules (or no Node
// at all), so the supervisor cannot resolve packages at run time. The addon cannot be
// bundled; the plugin below makes node-pty load it from the bundle's own directory.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(PACKAGE_DIR, 'dist');
const RUNTIME = join(DIST, 'runtime');
const NODE_PTY_DIR = dirname(createRequire(join(PACKAGE_DIR, 'package.json')).resolve('node-pty/package.json'));

/**
 * node-pty 1.1.0 finds its addon in lib/utils.js `loadNativeModule(name)`, which tries
 * require('../build/Release/pty.node') and similar paths relative to lib/. In the bundle the
 * addon sits next to supervisor.mjs, so that function is replaced by one static require of
 * './pty.node', kept external: the banner's createRequire(import.meta.url) resolves it
 * relative to the bundle file at run time.
 */
const nodePtyNativeModulePlugin = {
  name: 'node-pty-native-module',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /node-pty[\\/]lib[\\/]utils\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const replaced = source.replace(
        /function loadNativeModule\(name\) \{[\s\S]*?\n\}\nexports\.loadNativeModule/,
        "function loadNativeModule(name) {\n    if (name !== 'pty') throw new Error('shellgate supervisor bundle: only the pty addon is bundled, not ' + name);\n    return { dir: '.', module: require('./pty.node') };\n}\nexports.loadNativeModule",
      );
      if (replaced === source) throw new Error(`bundle-supervisor: loadNativeModule not found in ${args.path}; node-pty changed, update this plugin`);
      return { contents: replaced, loader: 'js' };
    });
    pluginBuild.onResolve({ filter: /^\.\/pty\.node$/ }, () => ({ path: './pty.node', external: true }));
  },
};

try {
  mkdirSync(RUNTIME, { recursive: true });
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: [join(DIST, 'main.js')],
    outfile: join(RUNTIME, 'supervisor.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
    // grpc-js and node-pty are CommonJS: they call require() and read __dirname, which an ESM file lacks.
    banner: {
      js: [
        "import { createRequire as __shellgateCreateRequire } from 'node:module';",
        "import { dirname as __shellgateDirname } from 'node:path';",
        "import { fileURLToPath as __shellgateFileURLToPath } from 'node:url';",
        'const require = __shellgateCreateRequire(import.meta.url);',
        'const __filename = __shellgateFileURLToPath(import.meta.url);',
        'const __dirname = __shellgateDirname(__filename);',
      ].join('\n'),
    },
    plugins: [nodePtyNativeModulePlugin],
    // Every sandbox start pays for parsing this file before the supervisor can dial the
    // gateway (create → Ready); minified, it parses ~35 ms faster (~0.5 MB instead of ~1.1 MB).
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(NODE_PTY_DIR, 'build', 'Release', 'pty.node'), join(RUNTIME, 'pty.node'));
} catch (error) {
  process.stderr.write(`bundle-supervisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
