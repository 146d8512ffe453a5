// The runtime bundle's entrypoint (bundled by scripts/bundle-supervisor.mjs into supervisor.cjs):
// it compiles the supervisor (supervisor-main.cjs) with the V8 code cache written when the
// bundle was built, then runs it. Why: under TCG emulation (VM sandboxes without KVM) every
// code path V8's parser and compiler take is emulated, so compiling the 0.5 MB supervisor
// was most of the supervisor's start; with the cache V8 deserializes instead. A cache made by
// another node or other V8 flags is rejected by V8 itself: the supervisor then compiles as
// usual and says so on stderr.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { Script } from 'node:vm';
import { SUPERVISOR_CODE_CACHE_FILE, SUPERVISOR_MAIN_FILE, WRITE_CODE_CACHE_FLAG } from './bundle-files.js';

type CommonJsBody = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

function loadSupervisor(bundleDir: string): void {
  const file = join(bundleDir, SUPERVISOR_MAIN_FILE);
  const cacheFile = join(bundleDir, SUPERVISOR_CODE_CACHE_FILE);
  const writeCache = process.argv[2] === WRITE_CODE_CACHE_FLAG;
  if (writeCache) process.argv.splice(2, 1);
  const cachedData = !writeCache && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // The same wrapper node's CommonJS loader uses, so the bundle sees require and __dirname.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(source, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  if (cachedData !== undefined && script.cachedDataRejected === true) {
    process.stderr.write(`shellgate-supervisor: ${cacheFile} was made by another node or other V8 flags; compiling without it (slower start)\n`);
  }
  // After the run, the cache holds the functions the run compiled too, not only the top level.
  if (writeCache) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData(), { mode: 0o644 }));
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsBody)(module.exports, createRequire(file), module, file, bundleDir);
}

loadSupervisor(dirname(process.argv[1] ?? '.'));
