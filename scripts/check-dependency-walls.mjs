#!/usr/bin/env node
// Proves the dependency rule of ARCHITECTURE.md ("Dependency rule") and STYLE.md rule 2:
// the gateway reaches compute only through driver executables, so neither it nor the
// clients (cli, api) may carry a driver package, the shared container-engine package or an
// engine client; and no driver package carries another driver package (an operator who
// installs one driver gets no other driver's code). Two independent checks, because each
// can miss what the other sees:
//   1. the installed production dependency trees (`pnpm list --prod --depth Infinity`) of
//      the gateway, cli, api, container-engine and every driver package;
//   2. bundles of the gateway and cli entries and of the api door, grepped for engine-client
//      strings and container-engine's marker (catches code that was vendored, copied or
//      pulled in without a package.json edge).
//
// Usage:
//   node scripts/check-dependency-walls.mjs                  both checks (CI)
//   node scripts/check-dependency-walls.mjs tree             dependency trees only
//   node scripts/check-dependency-walls.mjs bundle           bundle gateway, cli and api, then grep them
//   node scripts/check-dependency-walls.mjs grep FILE [META] grep one file (META: an esbuild
//                                                            metafile to name the importing path)
// Exit 0 when every wall holds, 1 naming the offender and the path that pulled it in,
// 2 on a usage or tooling error.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The bundles the grep checks: the gateway and cli binaries, and the api door clients import. */
const BUNDLE_ENTRIES = ['packages/gateway/dist/main.js', 'packages/cli/dist/process-main.js', 'packages/api/dist/index.js'];

/** Engine clients and every driver package but the SDK: forbidden for the gateway. */
const ENGINE_PACKAGES = ['dockerode', 'docker-modem', '@kubernetes/client-node'];
/** Shared by the Docker and Podman drivers; only drivers may depend on it. */
const CONTAINER_ENGINE_PACKAGE = '@shellgate/container-engine';
const isDriverPackage = (name) => name.startsWith('@shellgate/driver-') && name !== '@shellgate/driver-sdk';

/** The workspace's driver packages (every `@shellgate/driver-*` but the SDK), read from packages/. */
function workspaceDriverPackages() {
  return readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'packages', entry.name, 'package.json')))
    .map((entry) => JSON.parse(readFileSync(join(ROOT, 'packages', entry.name, 'package.json'), 'utf8')).name)
    .filter(isDriverPackage)
    .sort();
}

/** Per package: its name and a predicate returning a reason when a dependency is forbidden. */
function treeRules() {
  return [
    { pkg: '@shellgate/gateway', forbidden: forbiddenForGateway },
    { pkg: '@shellgate/cli', forbidden: forbiddenForClient },
    { pkg: '@shellgate/api', forbidden: forbiddenForClient },
    { pkg: CONTAINER_ENGINE_PACKAGE, forbidden: forbiddenForDriver },
    ...workspaceDriverPackages().map((pkg) => ({ pkg, forbidden: forbiddenForDriver })),
  ];
}

function forbiddenForGateway(name) {
  if (ENGINE_PACKAGES.includes(name)) return 'engine client';
  if (isDriverPackage(name)) return 'driver package';
  if (name === CONTAINER_ENGINE_PACKAGE) return 'shared engine package, for drivers only';
  return undefined;
}

/** A driver (or the package drivers share) may use engine clients, never another driver package. */
function forbiddenForDriver(name) {
  return isDriverPackage(name) ? 'another driver package' : undefined;
}

/** Clients talk to the public API only: no gateway, no SDK, no store, no engine. */
function forbiddenForClient(name) {
  if (name === '@shellgate/gateway') return 'gateway package';
  if (name === '@shellgate/driver-sdk') return 'driver SDK';
  if (name === 'better-sqlite3') return 'gateway store (native SQLite)';
  return forbiddenForGateway(name);
}

/**
 * Strings no gateway, cli or api bundle may contain: engine-client names, two
 * @kubernetes/client-node class names, and the marker @shellgate/container-engine's client
 * sends as its User-Agent.
 */
const FORBIDDEN_STRINGS = ['dockerode', 'docker-modem', '@kubernetes/client-node', 'KubeConfig', 'CoreV1Api', 'shellgate-container-engine'];

/** Native addon the gateway store loads at run time; left external like node builtins. */
const NATIVE_EXTERNALS = ['better-sqlite3'];

function checkTrees() {
  const failures = [];
  for (const rule of treeRules()) {
    const json = execFileSync('pnpm', ['--filter', rule.pkg, 'list', '--prod', '--depth', 'Infinity', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const roots = JSON.parse(json);
    if (!Array.isArray(roots) || roots.length !== 1 || roots[0].name !== rule.pkg) {
      throw new Error(`pnpm list for ${rule.pkg} returned ${Array.isArray(roots) ? roots.length : 'no'} projects`);
    }
    let count = 0;
    const seen = new Set();
    // Depth-first with the chain that led here, so a failure names who pulled the package in.
    const walk = (deps, chain) => {
      for (const [name, node] of Object.entries(deps ?? {})) {
        count += 1;
        seen.add(name);
        const path = [...chain, name];
        const reason = rule.forbidden(name);
        if (reason !== undefined) failures.push(`${rule.pkg} depends on ${name} (${reason}) via ${path.join(' > ')}`);
        if (node !== null && typeof node === 'object') walk(node.dependencies, path);
      }
    };
    walk(roots[0].dependencies, [rule.pkg]);
    console.log(`tree: ${rule.pkg}: ${seen.size} distinct production dependencies (${count} edges) checked`);
  }
  return failures;
}

async function bundleEntry(entryPath, outFile) {
  const entry = join(ROOT, entryPath);
  if (!existsSync(entry)) throw new Error(`${entryPath} is missing; run pnpm run -s build first`);
  const { build } = await import('esbuild');
  const external = [...builtinModules, ...builtinModules.map((name) => `node:${name}`), ...NATIVE_EXTERNALS];
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    metafile: true,
    logLevel: 'error',
  });
  const metaFile = `${outFile}.meta.json`;
  writeFileSync(metaFile, JSON.stringify({ ...result.metafile, absWorkingDir: ROOT }));
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(`bundle: ${entryPath} → ${inputs} modules bundled (external: node builtins, ${NATIVE_EXTERNALS.join(', ')})`);
  return metaFile;
}

/** Returns one failure line per forbidden string found in `file`. */
function grepFile(file, metaFile) {
  const text = readFileSync(file, 'utf8');
  const meta = metaFile !== undefined && existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : undefined;
  const failures = [];
  for (const needle of FORBIDDEN_STRINGS) {
    const at = text.indexOf(needle);
    if (at === -1) continue;
    const line = text.slice(0, at).split('\n').length;
    failures.push(`${display(file)}:${line} contains ${JSON.stringify(needle)}${describeOrigin(needle, meta, metaFile)}`);
  }
  console.log(`grep: ${display(file)}: ${FORBIDDEN_STRINGS.length} forbidden strings searched (${FORBIDDEN_STRINGS.join(', ')})`);
  return failures;
}

/** With a metafile: the bundled module holding the string and its import chain from the entry. */
function describeOrigin(needle, meta, metaFile) {
  if (meta === undefined) return '';
  // esbuild names inputs relative to its working directory; ours records it, others default to the metafile's folder.
  const baseDir = meta.absWorkingDir ?? dirname(metaFile);
  const holders = Object.keys(meta.inputs).filter((input) => {
    const path = resolve(baseDir, input);
    return input.includes(needle) || (existsSync(path) && readFileSync(path, 'utf8').includes(needle));
  });
  if (holders.length === 0) return '';
  const importers = new Map();
  for (const [input, info] of Object.entries(meta.inputs)) {
    for (const edge of info.imports ?? []) if (!importers.has(edge.path)) importers.set(edge.path, input);
  }
  const chain = [holders[0]];
  while (importers.has(chain[0]) && chain.length < 50 && !chain.includes(importers.get(chain[0]))) chain.unshift(importers.get(chain[0]));
  return ` from ${holders[0]} (imported via ${chain.join(' > ')})`;
}

/** A path relative to the repository when inside it, else absolute. */
function display(file) {
  const rel = relative(ROOT, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

function report(failures, what) {
  if (failures.length === 0) {
    console.log(`dependency walls: OK (${what})`);
    return 0;
  }
  for (const failure of failures) console.error(`dependency walls: FORBIDDEN ${failure}`);
  console.error(`dependency walls: FAILED (${failures.length} violation${failures.length === 1 ? '' : 's'}; see ARCHITECTURE.md "Dependency rule")`);
  return 1;
}

async function main(argv) {
  const [mode = 'all', ...rest] = argv;
  if (mode === 'grep') {
    if (rest[0] === undefined) throw new UsageError('grep needs a FILE');
    return report(grepFile(resolve(rest[0]), rest[1] === undefined ? undefined : resolve(rest[1])), `grep of ${rest[0]}`);
  }
  if (mode !== 'all' && mode !== 'tree' && mode !== 'bundle') throw new UsageError(`unknown mode ${JSON.stringify(mode)}`);
  const failures = [];
  if (mode !== 'bundle') failures.push(...checkTrees());
  if (mode !== 'tree') {
    const dir = mkdtempSync(join(tmpdir(), 'shellgate-walls-'));
    try {
      for (const [index, entry] of BUNDLE_ENTRIES.entries()) {
        const outFile = join(dir, `${index}-${entry.split('/')[1]}.bundle.mjs`);
        const metaFile = await bundleEntry(entry, outFile);
        failures.push(...grepFile(outFile, metaFile));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const trees = 'dependency trees of gateway, cli, api, container-engine and the drivers';
  const bundles = 'gateway, cli and api bundle grep';
  const what = { all: `${trees}; ${bundles}`, tree: trees, bundle: bundles }[mode];
  return report(failures, what);
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`dependency walls: ${error instanceof UsageError ? 'usage: ' : 'error: '}${error.message}`);
    if (error instanceof UsageError) console.error('usage: check-dependency-walls.mjs [all|tree|bundle|grep FILE [METAFILE]]');
    process.exit(2);
  },
);
