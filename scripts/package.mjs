#!/usr/bin/env node
// Packs every publishable package and proves each driver set installs alone (issue 14).
//   1. checks the published file lists (e2e/dist/walls/package-files.test.js: no tests,
//      fixtures or fakes) and that the meta package depends on every packages/driver-*;
//   2. `pnpm pack`s every non-private package (workspace:* versions rewritten) into OUT;
//   3. installs each combination of packages/driver-* with plain `npm install` of the
//      tarballs into its own empty prefix (in parallel; npm's download cache is reused),
//      checks nothing of an omitted driver is present, writes an SBOM per combination and
//      prints the footprint table; OUT/combinations.json describes every install for tests.
// Usage: scripts/package.sh [--out DIR] [--only NAME,...] [--jobs N] [--no-install] [--doc FILE]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The default install: gateway, CLI and every built-in driver (packages/shellgate). */
const META_PACKAGE = '@shellgate/shellgate';
/** Every combination has these: a gateway to run and a CLI to drive it. */
const BASE_PACKAGES = ['@shellgate/gateway', '@shellgate/cli'];
/**
 * Optional add-ons (not drivers): absent unless a combination asks for them, found by strings
 * only their code holds (the gateway itself names the package to load it).
 */
const OPTIONAL_PACKAGES = [{ name: '@shellgate/telemetry', markers: ['@opentelemetry/', 'shellgate_api_calls'] }];
const isDriverPackage = (name) => name.startsWith('@shellgate/driver-') && name !== '@shellgate/driver-sdk';
const shortName = (driverPackage) => driverPackage.replace('@shellgate/driver-', '');
const CODE_FILE = /\.(js|mjs|cjs|node|json)$/;
const FOOTPRINT_BEGIN = '<!-- footprint:begin (scripts/package.sh --doc docs/packaging.md) -->';
const FOOTPRINT_END = '<!-- footprint:end -->';

/** Every workspace package under packages/, by name. */
export function readWorkspacePackages() {
  const packages = new Map();
  for (const entry of readdirSync(join(ROOT, 'packages'), { withFileTypes: true })) {
    const file = join(ROOT, 'packages', entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    packages.set(manifest.name, { dir: join(ROOT, 'packages', entry.name), manifest });
  }
  return packages;
}

/** `roots` plus every workspace package they depend on in production, transitively. */
export function workspaceClosure(roots, workspace) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !workspace.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(workspace.get(name).manifest.dependencies ?? {})) visit(dep);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

/**
 * The gateway alone, each driver alone, the first two drivers together, the first driver with
 * every optional add-on, and the default install (drivers, no add-ons).
 */
export function listCombinations(drivers) {
  const withDrivers = (set, extras = []) => ({
    name: [...set.map(shortName), ...extras.map((name) => name.replace('@shellgate/', ''))].join('+'),
    roots: [...BASE_PACKAGES, ...set, ...extras],
    drivers: set,
  });
  return [
    { name: 'gateway', roots: BASE_PACKAGES, drivers: [] },
    ...drivers.map((driver) => withDrivers([driver])),
    ...(drivers.length >= 2 ? [withDrivers(drivers.slice(0, 2))] : []),
    ...(drivers.length >= 1 ? [withDrivers(drivers.slice(0, 1), OPTIONAL_PACKAGES.map((optional) => optional.name))] : []),
    { name: 'default', roots: [META_PACKAGE], drivers },
  ];
}

export function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

async function checkPublishedFiles(workspace, drivers) {
  const listed = Object.keys(workspace.get(META_PACKAGE)?.manifest.dependencies ?? {});
  const missing = [...BASE_PACKAGES, ...drivers].filter((name) => !listed.includes(name));
  if (missing.length > 0) throw new Error(`${META_PACKAGE} (packages/shellgate/package.json) must depend on ${missing.join(', ')}`);
  const test = join(ROOT, 'e2e/dist/walls/package-files.test.js');
  if (!existsSync(test)) throw new Error(`${test} is missing; run pnpm run -s build first`);
  await run(process.execPath, ['--test', '--test-reporter=dot', test], { cwd: ROOT });
  console.log('package: published file lists hold no tests, fixtures or fakes');
}

export async function packAll(workspace, outDir) {
  const tarballs = new Map();
  for (const [name, { dir, manifest }] of workspace) {
    if (manifest.private === true) continue;
    const output = await run('pnpm', ['pack', '--pack-destination', outDir], { cwd: dir });
    const file = output.trim().split('\n').filter((line) => line.endsWith('.tgz')).pop();
    if (file === undefined) throw new Error(`pnpm pack of ${name} named no tarball:\n${output}`);
    tarballs.set(name, resolve(dir, file));
  }
  console.log(`package: packed ${tarballs.size} packages into ${outDir}`);
  return tarballs;
}

/** Installed packages (name, dir) under `prefix`/node_modules, nested ones included. */
export function listInstalledPackages(prefix) {
  const found = [];
  const walk = (modulesDir) => {
    if (!existsSync(modulesDir)) return;
    for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? readdirSync(join(modulesDir, entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(modulesDir, entry.name, e.name))
        : [join(modulesDir, entry.name)];
      for (const dir of dirs) {
        const manifest = join(dir, 'package.json');
        if (existsSync(manifest)) found.push({ name: JSON.parse(readFileSync(manifest, 'utf8')).name, dir });
        walk(join(dir, 'node_modules'));
      }
    }
  };
  walk(join(prefix, 'node_modules'));
  return found;
}

/**
 * What an install without `omitted` drivers must not hold: each omitted driver package, the
 * workspace packages only it needs (e.g. container-engine when no container driver is in),
 * its direct third-party dependencies nothing installed needs (its engine client), and the
 * strings that name it.
 */
export function describeAbsence(combination, allDrivers, workspace, installedNames) {
  const omitted = allDrivers.filter((driver) => !combination.drivers.includes(driver));
  const packages = new Set();
  for (const driver of omitted) {
    const exclusive = [driver, ...Object.keys(workspace.get(driver).manifest.dependencies ?? {})];
    for (const name of exclusive) if (name === driver || !installedNames.has(name)) packages.add(name);
  }
  const markers = omitted.flatMap((driver) => [driver, `shellgate-driver-${shortName(driver)}`]);
  for (const optional of OPTIONAL_PACKAGES.filter((o) => !combination.roots.includes(o.name))) {
    omitted.push(optional.name);
    packages.add(optional.name);
    for (const name of Object.keys(workspace.get(optional.name).manifest.dependencies ?? {})) if (!installedNames.has(name)) packages.add(name);
    markers.push(...optional.markers);
  }
  return { omitted, packages: [...packages].sort(), markers };
}

/**
 * Code files under `dir` that contain a marker: what runs (.js, .mjs, .cjs, .node, .json),
 * not docs (.md, .d.ts, .map), where the SDK's examples may name a driver.
 */
export function grepTree(dir, markers) {
  const hits = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && CODE_FILE.test(entry.name) && statSync(path).size < 32 * 1024 * 1024) {
        const text = readFileSync(path, 'latin1');
        for (const marker of markers) if (text.includes(marker)) hits.push(`${path} contains ${JSON.stringify(marker)}`);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return hits;
}

/** Plain `npm install` of `roots` and the workspace packages they need, from their tarballs, into `prefix`. */
export async function npmInstall(prefix, roots, { workspace, tarballs }) {
  const packages = workspaceClosure(roots, workspace);
  // --prefer-offline: npm's download cache (~/.npm) serves every tarball it already holds.
  // --engine-strict: a dependency whose `engines` excludes this Node (20) fails the install
  // instead of a warning nobody reads (OpenTelemetry's 3.x line needs Node 22).
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--engine-strict', '--omit=dev', ...packages.map((name) => tarballs.get(name))], { cwd: prefix });
  return packages;
}

async function installCombination(combination, context) {
  const prefix = join(context.outDir, 'install', combination.name);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // npm sbom names the root component and needs its version: the gateway's.
  const version = context.workspace.get('@shellgate/gateway').manifest.version;
  writeFileSync(join(prefix, 'package.json'), `${JSON.stringify({ name: `shellgate-install-${combination.name.replaceAll('+', '-')}`, version, private: true }, null, 2)}\n`);
  const started = Date.now();
  const packages = await npmInstall(prefix, combination.roots, context);
  const installSeconds = Math.round((Date.now() - started) / 1000);
  const installed = listInstalledPackages(prefix);
  const absent = describeAbsence(combination, context.drivers, context.workspace, new Set(installed.map((p) => p.name)));
  const present = installed.filter((p) => absent.packages.includes(p.name)).map((p) => `${p.dir} (${p.name})`);
  const failures = [...present, ...grepTree(join(prefix, 'node_modules'), absent.markers)];
  if (failures.length > 0) throw new Error(`install ${combination.name} holds what an omitted driver brings:\n${failures.join('\n')}`);
  const sbom = join(context.outDir, `shellgate-${combination.name.replaceAll('+', '-')}.cdx.json`);
  writeFileSync(sbom, await run('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev'], { cwd: prefix }));
  const sizeBytes = Number((await run('du', ['-sb', join(prefix, 'node_modules')])).split('\t')[0]);
  console.log(`package: installed ${combination.name} in ${installSeconds} s (${installed.length} packages)`);
  return { ...combination, prefix, tarballs: packages, installSeconds, sizeBytes, packageCount: installed.length, sbom, absent };
}

/**
 * better-sqlite3 installs through prebuild-install, which looks in npm's cache
 * (~/.npm/_prebuilds) before it downloads from GitHub, unreachable here: so every install
 * compiled SQLite again, minutes each on 2 cores. After the first install has compiled it,
 * its addon is cached under the very name prebuild-install looks for (this Node ABI, platform
 * and version only), and later installs unpack it instead.
 */
async function seedPrebuildCache(prefix) {
  for (const { name, dir } of listInstalledPackages(prefix)) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!/prebuild-install/.test(manifest.scripts?.install ?? '')) continue;
    const bin = createRequire(join(dir, 'package.json')).resolve('prebuild-install/bin.js');
    const log = await run(process.execPath, [bin, '--verbose'], { cwd: dir }).catch((error) => error.message);
    const cached = /looking for cached prebuild @ (\S+)/.exec(log)?.[1];
    // Only the package's own addon, as in its released prebuilds: prebuild-install loads the
    // last file it unpacks to check it (better-sqlite3 also builds a test_extension.node).
    const addon = `build/Release/${name.replace(/-/g, '_')}.node`;
    if (cached === undefined || existsSync(cached) || !existsSync(join(dir, addon))) continue;
    mkdirSync(dirname(cached), { recursive: true });
    await run('tar', ['-czf', cached, '-C', dir, addon]);
    console.log(`package: cached the ${name} addon this install compiled as ${cached}`);
  }
}

async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const megabytes = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const signed = (value, format) => (value === 0 ? '±0' : `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`);

/** Markdown table: per combination, size and package count, and both against the gateway alone. */
export function renderFootprint(results) {
  const base = results.find((result) => result.name === 'gateway');
  const rows = results.map((r) => {
    const vs = base === undefined ? ['', ''] : [signed(r.packageCount - base.packageCount, String), signed(r.sizeBytes - base.sizeBytes, megabytes)];
    return `| ${r.name} | ${r.roots.join(', ')} | ${r.packageCount} | ${megabytes(r.sizeBytes)} | ${vs[0]} | ${vs[1]} | ${r.installSeconds} s |`;
  });
  return [
    '| combination | npm install | packages | size | packages vs gateway | size vs gateway | install time |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function writeFootprintDoc(file, table) {
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(FOOTPRINT_BEGIN);
  const end = text.indexOf(FOOTPRINT_END);
  if (begin === -1 || end < begin) throw new Error(`${file} has no footprint markers (${FOOTPRINT_BEGIN} ... ${FOOTPRINT_END})`);
  writeFileSync(file, `${text.slice(0, begin + FOOTPRINT_BEGIN.length)}\n${table}\n${text.slice(end)}`);
}

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' }, jobs: { type: 'string' }, 'no-install': { type: 'boolean' }, doc: { type: 'string' } },
  });
  const outDir = resolve(values.out ?? join(ROOT, '.packages'));
  mkdirSync(outDir, { recursive: true });
  const workspace = readWorkspacePackages();
  const drivers = [...workspace.keys()].filter(isDriverPackage).sort();
  await checkPublishedFiles(workspace, drivers);
  const tarballs = await packAll(workspace, outDir);
  if (values['no-install'] === true) return;
  const only = values.only?.split(',');
  const combinations = listCombinations(drivers).filter((c) => only === undefined || only.includes(c.name));
  const jobs = Number(values.jobs ?? Math.max(2, availableParallelism()));
  const context = { outDir, workspace, tarballs, drivers };
  // The first install compiles the native addons; the others reuse what it can share.
  const [first, ...rest] = combinations;
  const results = first === undefined ? [] : [await installCombination(first, context)];
  if (first !== undefined) await seedPrebuildCache(results[0].prefix);
  results.push(...(await mapLimited(rest, jobs, (c) => installCombination(c, context))));
  writeFileSync(join(outDir, 'combinations.json'), `${JSON.stringify({ drivers, combinations: results }, null, 2)}\n`);
  const table = renderFootprint(results);
  console.log(`\n${table}\n\nSBOMs (CycloneDX) and tarballs: ${outDir}`);
  if (values.doc !== undefined) writeFootprintDoc(resolve(values.doc), table);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`package: ${error.message}`);
    process.exit(1);
  });
}
