#!/usr/bin/env node
// Marks every `bin` target of every workspace package executable (0755) after `tsc -b`,
// which writes plain 0644 files: without this, `dist/.../main.js` cannot be run directly
// (`./node_modules/.bin/shellgate-driver-conformance`, a driver path in gateway.toml).
// A target that does not exist (a package not built yet) is skipped quietly.
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The `packages:` entries of pnpm-workspace.yaml. Only what this repo uses is understood:
 * literal directories and a trailing `/*`; anything else stops the build with a reason.
 */
function readWorkspacePatterns() {
  const lines = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n');
  const patterns = [];
  let isInPackages = false;
  for (const line of lines) {
    if (/^\S/.test(line)) isInPackages = /^packages:\s*$/.test(line);
    const entry = isInPackages ? /^\s+-\s+['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line) : null;
    if (entry !== null) patterns.push(entry[1]);
  }
  return patterns;
}

function expandPattern(pattern) {
  if (pattern.startsWith('!')) return [];
  if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name));
  }
  if (pattern.includes('*')) {
    throw new Error(`mark-bins-executable: unsupported workspace pattern ${JSON.stringify(pattern)} in pnpm-workspace.yaml`);
  }
  return [join(root, pattern)];
}

function binTargets(packageDir) {
  const manifestPath = join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (typeof bin === 'string') return [resolve(packageDir, bin)];
  if (typeof bin === 'object' && bin !== null) return Object.values(bin).map((target) => resolve(packageDir, target));
  return [];
}

for (const packageDir of readWorkspacePatterns().flatMap(expandPattern)) {
  for (const target of binTargets(packageDir)) {
    if (existsSync(target)) chmodSync(target, 0o755);
  }
}
