// The dependency-wall check (scripts/check-dependency-walls.sh) must be able to fail: these
// tests feed its grep step real esbuild bundles that do and do not carry engine-client code
// (or the shared container-engine package), so a check that silently passes everything
// (wrong path, empty pattern list) is caught.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { build } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WALLS_SCRIPT = join(REPO_ROOT, 'scripts', 'check-dependency-walls.sh');

interface CheckResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runGrep(bundleFile: string, metaFile?: string): CheckResult {
  const args = [WALLS_SCRIPT, 'grep', bundleFile, ...(metaFile === undefined ? [] : [metaFile])];
  const result = spawnSync('bash', args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes `files` under a fresh directory, bundles `entry.mjs` like the real check does, returns the output paths. */
async function bundleProject(root: string, name: string, files: Readonly<Record<string, string>>): Promise<{ bundle: string; meta: string }> {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const bundle = join(dir, 'out', 'bundle.mjs');
  const result = await build({
    absWorkingDir: dir,
    entryPoints: [join(dir, 'entry.mjs')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
  });
  const meta = `${bundle}.meta.json`;
  // As the real check writes it: the working directory lets it open bundled files to find a string's origin.
  writeFileSync(meta, JSON.stringify({ ...result.metafile, absWorkingDir: dir }));
  return { bundle, meta };
}

const FAKE_DOCKERODE = {
  'node_modules/dockerode/package.json': JSON.stringify({ name: 'dockerode', version: '0.0.0', main: 'index.js' }),
  'node_modules/dockerode/index.js': "module.exports = class Docker { get name() { return 'dockerode'; } };\n",
};

describe('dependency walls: the bundle grep can fail', () => {
  const root = mkdtempSync(join(tmpdir(), 'sg-walls-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('fails on a bundle that pulled in dockerode, naming the string and the import path', async () => {
    const { bundle, meta } = await bundleProject(root, 'with-dockerode', {
      ...FAKE_DOCKERODE,
      'entry.mjs': "import Docker from 'dockerode';\nimport { start } from './server.mjs';\nstart(new Docker());\n",
      'server.mjs': 'export function start(engine) { return engine; }\n',
    });
    const result = runGrep(bundle, meta);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /FORBIDDEN .*contains "dockerode"/);
    assert.match(result.stderr, /entry\.mjs > node_modules\/dockerode\/index\.js/);
    assert.match(result.stderr, /FAILED/);
  });

  it('fails on Kubernetes client class names even without a package name', async () => {
    const { bundle } = await bundleProject(root, 'with-kube', {
      'entry.mjs': 'class KubeConfig {}\nclass CoreV1Api {}\nconsole.log(new KubeConfig(), new CoreV1Api());\n',
    });
    const result = runGrep(bundle);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /contains "KubeConfig"/);
    assert.match(result.stderr, /contains "CoreV1Api"/);
  });

  it("fails on a bundle that carries @shellgate/container-engine's client, by its marker", async () => {
    // The marker is the User-Agent the real client sends (its unit test pins it there).
    const { bundle, meta } = await bundleProject(root, 'with-container-engine', {
      'node_modules/@shellgate/container-engine/package.json': JSON.stringify({ name: '@shellgate/container-engine', version: '0.0.0', type: 'module', main: 'index.js' }),
      'node_modules/@shellgate/container-engine/index.js': "export const request = () => ({ headers: { 'User-Agent': 'shellgate-container-engine' } });\n",
      'entry.mjs': "import { request } from '@shellgate/container-engine';\nconsole.log(request());\n",
    });
    const result = runGrep(bundle, meta);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /contains "shellgate-container-engine"/);
    assert.match(result.stderr, /entry\.mjs > node_modules\/@shellgate\/container-engine\/index\.js/);
  });

  it('passes the same kind of bundle without engine code', async () => {
    const { bundle, meta } = await bundleProject(root, 'clean', {
      'entry.mjs': "import { start } from './server.mjs';\nstart({ engine: 'none' });\n",
      'server.mjs': 'export function start(engine) { return engine; }\n',
    });
    const result = runGrep(bundle, meta);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /dependency walls: OK/);
    assert.equal(result.stderr, '');
  });

  it('treats a missing bundle as an error, not a pass', () => {
    const result = runGrep(join(root, 'does-not-exist.mjs'));
    assert.equal(result.status, 2, result.stdout + result.stderr);
  });
});
