import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SUPERVISOR_PACKAGE = '@shellgate/supervisor';
const BUNDLE_BIN = 'shellgate-supervisor-bundle';
/** Copying Node and its libraries takes seconds; a self-test runs at the end. */
const BUILD_TIMEOUT_MS = 180_000;
const FINGERPRINT_TIMEOUT_MS = 30_000;
const FINGERPRINT = /^[0-9a-f]{16,64}$/;

/** Something that builds supervisor runtime bundles: `shellgate-supervisor-bundle` by default. */
export interface SupervisorBundler {
  /** Which bundler this is, for logs and errors. */
  readonly description: string;
  /** Names what {@link build} would produce now; a cached bundle under this name is reused. */
  fingerprint(signal: AbortSignal): Promise<string>;
  /** Builds a bundle into `outDir` (replaced safely if it exists). */
  build(outDir: string, signal: AbortSignal): Promise<void>;
}

function run(argv: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<string> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(command ?? '', args, { encoding: 'utf8', timeout: timeoutMs, signal, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`${argv.join(' ')} failed: ${tail === '' ? error.message : tail}`, { cause: error }));
    });
  });
}

/** A bundler that runs `argv` (plus `--fingerprint` or `--out DIR`), as an operator would. */
export function toCommandBundler(description: string, argv: readonly string[]): SupervisorBundler {
  return {
    description,
    async fingerprint(signal) {
      const printed = (await run([...argv, '--fingerprint'], FINGERPRINT_TIMEOUT_MS, signal)).trim();
      if (!FINGERPRINT.test(printed)) throw new Error(`${argv.join(' ')} --fingerprint printed ${JSON.stringify(printed.slice(0, 80))}, not a hex fingerprint`);
      return printed;
    },
    async build(outDir, signal) {
      await run([...argv, '--out', outDir], BUILD_TIMEOUT_MS, signal);
    },
  };
}

/**
 * The `shellgate-supervisor-bundle` of the `@shellgate/supervisor` package installed where
 * `resolveFrom` (a driver's `import.meta.url`) resolves packages, run with this process's
 * Node; undefined when the package is not installed there.
 */
export function findInstalledSupervisorBundler(resolveFrom: string | URL, nodePath: string = process.execPath): SupervisorBundler | undefined {
  let packageJsonPath: string;
  try {
    packageJsonPath = createRequire(resolveFrom).resolve(`${SUPERVISOR_PACKAGE}/package.json`);
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown; bin?: Record<string, unknown> };
  const bin = manifest.bin?.[BUNDLE_BIN];
  if (typeof bin !== 'string') return undefined;
  const packageDir = dirname(packageJsonPath);
  return toCommandBundler(`${SUPERVISOR_PACKAGE} ${String(manifest.version)} (${packageDir})`, [nodePath, join(packageDir, bin)]);
}
