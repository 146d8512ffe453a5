// What each package publishes is what `npm pack` lists: tests, their data and test fakes stay
// home. A `testing/` folder ships only when the package's exports name it as a door (the
// SDK's `@shellgate/driver-sdk/testing`); any other is a fake that leaked (issue 9, item 7).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const PACKAGES_DIR = fileURLToPath(new URL('../../../packages/', import.meta.url));

interface PackFile {
  readonly path: string;
}

function listPackedFiles(packageDir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 60_000,
  });
  const [report] = JSON.parse(out) as [{ files: PackFile[] }];
  return report.files.map((file) => file.path);
}

/** The `dist/.../testing/` folders a package opens through `exports` (e.g. `./testing`). */
function readTestingDoors(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  return Object.values(manifest.exports ?? {})
    .flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target as Record<string, string>)))
    .map((target) => /^\.\/(.*\/testing\/)/.exec(target)?.[1])
    .filter((dir): dir is string => dir !== undefined);
}

describe('published package files', () => {
  const packages = readdirSync(PACKAGES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());

  for (const { name } of packages) {
    it(`${name} ships no tests, test data or undeclared testing/ fakes`, { timeout: 90_000 }, () => {
      const packageDir = join(PACKAGES_DIR, name);
      const doors = readTestingDoors(packageDir);
      const files = listPackedFiles(packageDir);
      assert.ok(files.includes('package.json'), `npm pack listed no package.json for ${name}`);
      const leaked = files.filter(
        (path) =>
          /\.test\.[^/]+$/.test(path) ||
          /(^|\/)testdata\//.test(path) ||
          (/(^|\/)testing\//.test(path) && !doors.some((door) => path.startsWith(door))),
      );
      assert.deepEqual(leaked, [], `${name} would publish these files`);
    });
  }

  it('gateway ships the API descriptors server reflection reads at startup', { timeout: 90_000 }, () => {
    assert.ok(listPackedFiles(join(PACKAGES_DIR, 'gateway')).includes('dist/proto/descriptor-set.binpb'));
  });
});
