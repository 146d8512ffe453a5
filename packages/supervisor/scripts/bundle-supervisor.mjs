// Bundles the supervisor (dist/main.js, after `tsc -b`) into ONE file,
// dist/runtime/supervisor-main.cjs, its loader (dist/bundle/code-cache-loader.js) into
// dist/runtime/supervisor.cjs, and copies node-pty's native addon beside them (dist/runtime/pty.node).
// Why: drivers bind-mount a runtime bundle into images that have no node_modules (or no Node
// at all), so the supervisor cannot resolve packages at run time. The addon cannot be
// bundled; the plugin below makes node-pty load it from the bundle's own directory.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * addon sits next to supervisor-main.cjs, so that function is replaced by one static require of
 * './pty.node', kept external: the require the loader hands the bundle resolves it
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

const COMMON = {
  absWorkingDir: PACKAGE_DIR,
  bundle: true,
  platform: 'node',
  // CommonJS, not ESM: the loader compiles the supervisor with vm.Script and a V8 code cache,
  // which node 20 offers for scripts only (src/bundle/code-cache-loader.ts says why).
  format: 'cjs',
  target: 'node20',
  external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
  // Every sandbox start pays for parsing this file before the supervisor can dial the
  // gateway (create → Ready); minified, it parses ~35 ms faster (~0.5 MB instead of ~1.1 MB).
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

try {
  mkdirSync(RUNTIME, { recursive: true });
  rmSync(join(RUNTIME, 'supervisor.mjs'), { force: true });
  const mainFile = join(RUNTIME, 'supervisor-main.cjs');
  await build({ ...COMMON, entryPoints: [join(DIST, 'main.js')], outfile: mainFile, plugins: [nodePtyNativeModulePlugin] });
  // The loader wraps the file in a function: a #! line there would be a syntax error.
  writeFileSync(mainFile, readFileSync(mainFile, 'utf8').replace(/^#!.*\n/, ''));
  await build({ ...COMMON, entryPoints: [join(DIST, 'bundle', 'code-cache-loader.js')], outfile: join(RUNTIME, 'supervisor.cjs') });
  copyFileSync(join(NODE_PTY_DIR, 'build', 'Release', 'pty.node'), join(RUNTIME, 'pty.node'));
} catch (error) {
  process.stderr.write(`bundle-supervisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
