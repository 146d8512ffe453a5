#!/usr/bin/env node
// Proves the dependency rule of ARCHITECTURE.md ("Dependency rule") and STYLE.md rule 2:
// the gateway reaches compute only through driver executables, so neither it nor the
// clients (cli, api) may carry a driver package or an engine client. Two independent
// checks, because each can miss what the other sees:
//   1. the installed production dependency tree (`pnpm list --prod --depth Infinity`);
//   2. a bundle of the gateway entry, grepped for engine-client strings (catches code
//      that was vendored, copied or pulled in without a package.json edge).
//
// Usage:
//   node scripts/check-dependency-walls.mjs                  both checks (CI)
//   node scripts/check-dependency-walls.mjs tree             dependency trees only
//   node scripts/check-dependency-walls.mjs bundle           bundle the gateway, then grep it
//   node scripts/check-dependency-walls.mjs grep FILE [META] grep one file (META: an esbuild
//                                                            metafile to name the importing path)
// Exit 0 when every wall holds, 1 naming the offender and the path that pulled it in,
// 2 on a usage or tooling error.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GATEWAY_ENTRY = 'packages/gateway/dist/main.js';

/** Engine clients and every driver package but the SDK: forbidden for the gateway. */
const ENGINE_PACKAGES = ['dockerode', 'docker-modem', '@kubernetes/client-node'];
const isDriverPackage = (name) => name.startsWith('@shellgate/driver-') && name !== '@shellgate/driver-sdk';

/** Per package: its name and a predicate returning a reason when a dependency is forbidden. */
const TREE_RULES = [
  { pkg: '@shellgate/gateway', forbidden: forbiddenForGateway },
  { pkg: '@shellgate/cli', forbidden: forbiddenForClient },
  { pkg: '@shellgate/api', forbidden: forbiddenForClient },
];

function forbiddenForGateway(name) {
  if (ENGINE_PACKAGES.includes(name)) return 'engine client';
  if (isDriverPackage(name)) return 'driver package';
  return undefined;
}

/** Clients talk to the public API only: no gateway, no SDK, no store, no engine. */
function forbiddenForClient(name) {
  if (name === '@shellgate/gateway') return 'gateway package';
  if (name === '@shellgate/driver-sdk') return 'driver SDK';
  if (name === 'better-sqlite3') return 'gateway store (native SQLite)';
  return forbiddenForGateway(name);
}

/** Strings no gateway bundle may contain; the last two are @kubernetes/client-node class names. */
const FORBIDDEN_STRINGS = ['dockerode', 'docker-modem', '@kubernetes/client-node', 'KubeConfig', 'CoreV1Api'];

/** Native addon the gateway store loads at run time; left external like node builtins. */
const NATIVE_EXTERNALS = ['better-sqlite3'];

function checkTrees() {
  const failures = [];
  for (const rule of TREE_RULES) {
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

async function bundleGateway(outFile) {
  const entry = join(ROOT, GATEWAY_ENTRY);
  if (!existsSync(entry)) throw new Error(`${GATEWAY_ENTRY} is missing; run pnpm run -s build first`);
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
  console.log(`bundle: ${GATEWAY_ENTRY} → ${inputs} modules bundled (external: node builtins, ${NATIVE_EXTERNALS.join(', ')})`);
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
      const outFile = join(dir, 'gateway.bundle.mjs');
      const metaFile = await bundleGateway(outFile);
      failures.push(...grepFile(outFile, metaFile));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const what = { all: 'dependency trees of gateway, cli, api; gateway bundle grep', tree: 'dependency trees', bundle: 'gateway bundle grep' }[mode];
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
