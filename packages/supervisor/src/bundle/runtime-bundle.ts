import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SupervisorError } from '../errors.js';
import { SUPERVISOR_VERSION } from '../version.js';
import { parseLddOutput, type SharedLibrary } from './ldd-output.js';
import { RUNTIME_MANIFEST_FILE, encodeRuntimeManifest, resolveEntrypoint } from '@shellgate/driver-sdk/sandbox-runtime';
import type { RuntimeManifest } from '@shellgate/driver-sdk/sandbox-runtime';
import { toRuntimeManifest } from './runtime-manifest.js';
import { PTY_ADDON_FILE, SUPERVISOR_CODE_CACHE_FILE, SUPERVISOR_LOADER_FILE, SUPERVISOR_MAIN_FILE, WRITE_CODE_CACHE_FLAG } from './bundle-files.js';

/** Where `tsc` + scripts/bundle-supervisor.mjs put the bundled supervisor, its loader and pty.node. */
export const BUILT_RUNTIME_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'runtime');

export interface RuntimeBundleOptions {
  readonly outDir: string;
  /** The node binary to ship; default: the one running this. */
  readonly nodePath?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function copyInto(source: string, destination: string, mode: number, log: (line: string) => void): void {
  const real = realpathSync(source);
  copyFileSync(real, destination);
  chmodSync(destination, mode);
  log(`copied ${source}${real === source ? '' : ` (${real})`} -> ${destination} (${formatSize(statSync(destination).size)})`);
}

function runLdd(binary: string): ReturnType<typeof parseLddOutput> {
  let output: string;
  try {
    output = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SupervisorError('ldd is not installed: the runtime bundle copies the shared libraries ldd lists', { hint: 'install it (Debian/Ubuntu: apt-get install libc-bin; Fedora: dnf install glibc-common) and rerun', cause });
    }
    throw new SupervisorError(`ldd ${binary} failed: it is not a dynamically linked binary ldd can read`, { hint: 'pass a dynamically linked node with --node', cause });
  }
  const result = parseLddOutput(output);
  if (result.missing.length > 0) {
    throw new SupervisorError(`${binary} needs libraries this host does not have: ${result.missing.join(', ')}`, { hint: 'install them on the host, then rerun' });
  }
  return result;
}

function requireBuiltFile(name: string): string {
  const path = join(BUILT_RUNTIME_DIR, name);
  if (!existsSync(path)) {
    throw new SupervisorError(`${path} is missing: the supervisor package was not fully built`, { hint: 'run `pnpm run build` at the repository root (it runs packages/supervisor/scripts/bundle-supervisor.mjs)' });
  }
  return path;
}

/** The files scripts/bundle-supervisor.mjs builds, copied as they are into every bundle. */
const BUILT_FILES = [SUPERVISOR_LOADER_FILE, SUPERVISOR_MAIN_FILE, PTY_ADDON_FILE] as const;

/**
 * Runs the supervisor once through the bundle's own node, which writes the V8 code cache of
 * supervisor-main.cjs: only that node's V8 accepts it, so it is made here, not at build time.
 */
function writeCodeCache(dir: string, manifest: RuntimeManifest, log: (line: string) => void): void {
  const [loader, ...args] = resolveEntrypoint(manifest, dir);
  const result = spawnSync(loader as string, [...args, WRITE_CODE_CACHE_FLAG, '--version'], { env: {}, encoding: 'utf8', timeout: 60_000 });
  const cacheFile = join(dir, SUPERVISOR_CODE_CACHE_FILE);
  if (result.status !== 0 || !existsSync(cacheFile)) {
    throw new SupervisorError(`writing the supervisor's code cache failed: exited ${result.status ?? result.signal ?? result.error?.message}: ${result.stderr}`, {
      hint: 'the node binary could not start from the bundle; pass another node with --node, or report this with the output above',
    });
  }
  log(`wrote ${SUPERVISOR_CODE_CACHE_FILE} (${formatSize(statSync(cacheFile).size)}): V8 starts the supervisor from it instead of compiling`);
}

/**
 * Runs `--version` through the bundle's own loader with an empty environment, as a sandbox
 * would; a code cache V8 refused (the loader says so on stderr) fails it too.
 */
function selfTest(dir: string, manifest: RuntimeManifest, log: (line: string) => void): void {
  const [loader, ...args] = resolveEntrypoint(manifest, dir);
  const result = spawnSync(loader as string, [...args, '--version'], { env: {}, encoding: 'utf8', timeout: 30_000 });
  const output = `${result.stdout ?? ''}`.trim();
  if (result.status !== 0 || output !== SUPERVISOR_VERSION || result.stderr !== '') {
    throw new SupervisorError(`the bundle's self-test failed: \`${[loader, ...args, '--version'].join(' ')}\` exited ${result.status ?? result.signal ?? result.error?.message} with ${JSON.stringify(output)}: ${result.stderr}`, {
      hint: 'the node binary or its libraries could not start from the bundle; pass another node with --node, or report this with the output above',
    });
  }
  log(`self-test passed: the bundled supervisor reports ${output}`);
}

/**
 * Names what {@link buildRuntimeBundle} would build now: a hash of the supervisor's version,
 * its bundled files and the node binary (path, size, mtime). Drivers cache built bundles
 * under it, so a new supervisor or Node gets a new bundle and an unchanged one is reused.
 */
export function runtimeBundleFingerprint(options: Pick<RuntimeBundleOptions, 'nodePath'> = {}): string {
  const nodePath = realpathSync(resolve(options.nodePath ?? process.execPath));
  const node = statSync(nodePath);
  const hash = createHash('sha256').update(`${SUPERVISOR_VERSION}\0${nodePath}\0${node.size}\0${node.mtimeMs}\0`);
  for (const name of BUILT_FILES) hash.update(readFileSync(requireBuiltFile(name)));
  return hash.digest('hex').slice(0, 32);
}

/**
 * Builds a runtime bundle in `outDir`: bin/node, lib/ (every library ldd lists for node and
 * pty.node, plus the dynamic loader), supervisor.cjs (the loader), supervisor-main.cjs and
 * its V8 code cache, pty.node and manifest.json. Built in
 * `outDir.tmp`, self-tested, then swapped in, so a failed rebuild leaves the old bundle intact.
 */
export function buildRuntimeBundle(options: RuntimeBundleOptions): RuntimeManifest {
  const log = options.log ?? (() => undefined);
  const outDir = resolve(options.outDir);
  const nodePath = resolve(options.nodePath ?? process.execPath);
  const builtFiles = BUILT_FILES.map(requireBuiltFile);
  const ptyAddon = requireBuiltFile(PTY_ADDON_FILE);
  const tmpDir = `${outDir}.tmp`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(join(tmpDir, 'bin'), { recursive: true, mode: 0o755 });
  mkdirSync(join(tmpDir, 'lib'), { mode: 0o755 });
  chmodSync(tmpDir, 0o755);

  copyInto(nodePath, join(tmpDir, 'bin', 'node'), 0o755, log);
  const forNode = runLdd(nodePath);
  const forPty = runLdd(ptyAddon);
  const loader = forNode.loader ?? forPty.loader;
  if (loader === undefined) {
    throw new SupervisorError(`ldd names no dynamic loader for ${nodePath}`, { hint: 'pass a dynamically linked node (an official Linux build) with --node' });
  }
  const libraries = new Map<string, SharedLibrary>();
  for (const library of [...forNode.libraries, ...forPty.libraries]) libraries.set(library.name, library);
  for (const library of libraries.values()) copyInto(library.path, join(tmpDir, 'lib', library.name), 0o644, log);
  copyInto(loader.path, join(tmpDir, 'lib', loader.name), 0o755, log);
  for (const file of builtFiles) copyInto(file, join(tmpDir, basename(file)), 0o644, log);
  const manifest = toRuntimeManifest(loader.name);
  writeFileSync(join(tmpDir, RUNTIME_MANIFEST_FILE), encodeRuntimeManifest(manifest), { mode: 0o644 });
  log(`wrote manifest.json (format ${manifest.format}, supervisor ${manifest.supervisorVersion})`);
  writeCodeCache(tmpDir, manifest, log);

  selfTest(tmpDir, manifest, log);
  const oldDir = `${outDir}.old`;
  rmSync(oldDir, { recursive: true, force: true });
  if (existsSync(outDir)) renameSync(outDir, oldDir);
  renameSync(tmpDir, outDir);
  rmSync(oldDir, { recursive: true, force: true });
  log(`runtime bundle ready in ${outDir}`);
  return manifest;
}
