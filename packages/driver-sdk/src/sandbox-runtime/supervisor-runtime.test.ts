import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '../errors.js';
import { silentLogger } from '../logging/logger.js';
import { ensureSupervisorRuntime } from './ensure-supervisor-runtime.js';
import { SUPERVISOR_RUNTIME_TARGET } from './sandbox-paths.js';
import { toSupervisorArgs } from './supervisor-args.js';
import type { SupervisorBundler } from './supervisor-bundler.js';
import { findInstalledSupervisorBundler } from './supervisor-bundler.js';
import { loadSupervisorRuntime } from './supervisor-runtime.js';

const MANIFEST = {
  format: 1,
  supervisorVersion: '0.1.0',
  entrypoint: ['{root}/lib/ld-linux-x86-64.so.2', '--library-path', '{root}/lib', '{root}/bin/node', '{root}/supervisor.cjs'],
};

void describe('supervisor runtime bundle', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sg-sdk-runtime-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function bundleWith(name: string, manifest: string | undefined): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    if (manifest !== undefined) await writeFile(join(dir, 'manifest.json'), manifest);
    return dir;
  }

  void it('reads the manifest and puts the mount target in place of every {root}', async () => {
    const dir = await bundleWith('good', JSON.stringify(MANIFEST));
    assert.deepEqual(await loadSupervisorRuntime(dir), {
      hostDir: dir,
      supervisorVersion: '0.1.0',
      entrypoint: [
        '/opt/shellgate/runtime/lib/ld-linux-x86-64.so.2',
        '--library-path',
        '/opt/shellgate/runtime/lib',
        '/opt/shellgate/runtime/bin/node',
        '/opt/shellgate/runtime/supervisor.cjs',
      ],
    });
    assert.equal(SUPERVISOR_RUNTIME_TARGET, '/opt/shellgate/runtime');
  });

  const bad: [string, string | undefined, RegExp][] = [
    ['no manifest.json', undefined, /cannot read .*manifest\.json \(ENOENT\)/],
    ['a manifest that is not JSON', '{format: 1', /is not JSON/],
    ['a manifest that is not an object', '[1]', /is not a JSON object/],
    ['another format', JSON.stringify({ ...MANIFEST, format: 2 }), /format is 2, this SDK reads format 1/],
    ['an empty entrypoint', JSON.stringify({ ...MANIFEST, entrypoint: [] }), /entrypoint must be a non-empty array/],
    ['an entrypoint that is not strings', JSON.stringify({ ...MANIFEST, entrypoint: ['{root}/bin/node', 3] }), /entrypoint must be a non-empty array/],
  ];
  for (const [what, manifest, reason] of bad) {
    void it(`refuses ${what} with INVALID_ARGUMENT naming the key and how to build a bundle`, async () => {
      const dir = await bundleWith(what.replace(/\W+/g, '-'), manifest);
      await assert.rejects(loadSupervisorRuntime(dir), (error: unknown) => {
        assert.ok(isShellgateError(error));
        assert.equal(error.code, ErrorCode.InvalidArgument);
        assert.match(error.message, /^supervisor_runtime_dir ".*" is not a supervisor runtime bundle: /);
        assert.match(error.message, reason);
        assert.match(error.hint ?? '', /shellgate-supervisor-bundle --out DIR/);
        return true;
      });
    });
  }

  void it('refuses a directory that does not exist', async () => {
    await assert.rejects(loadSupervisorRuntime(join(root, 'missing')), /cannot read .*ENOENT/);
  });

  void it('passes --tty only for a tty, --user only when named, and always ends the options with --', () => {
    assert.deepEqual(toSupervisorArgs(['sleep', '1'], { tty: false }), ['--', 'sleep', '1']);
    assert.deepEqual(toSupervisorArgs(['--tty'], { tty: true }), ['--tty', '--', '--tty']);
    assert.deepEqual(toSupervisorArgs(['sh'], { tty: false, user: 'agent:agent' }), ['--user', 'agent:agent', '--', 'sh']);
    assert.deepEqual(toSupervisorArgs(['sh'], { tty: true, isTokenFileKept: true }), ['--tty', '--keep-token-file', '--', 'sh']);
  });
});

/** A bundler that writes a valid manifest and counts its builds. */
function countingBundler(fingerprint: string): SupervisorBundler & { builds: string[] } {
  const builds: string[] = [];
  return {
    description: 'test bundler',
    builds,
    fingerprint: () => Promise.resolve(fingerprint),
    async build(outDir) {
      builds.push(outDir);
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'manifest.json'), JSON.stringify(MANIFEST));
    },
  };
}

void describe('ensureSupervisorRuntime', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sg-sdk-ensure-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const base = { isEnabled: true, configuredDir: undefined, logger: silentLogger };

  void it('builds a bundle once per fingerprint and reuses it on the next start', async () => {
    const cacheDir = join(root, 'cache-1');
    const bundler = countingBundler('abcdef0123456789');
    const first = await ensureSupervisorRuntime({ ...base, cacheDir, bundler });
    const second = await ensureSupervisorRuntime({ ...base, cacheDir, bundler });
    assert.equal(first?.hostDir, join(cacheDir, 'abcdef0123456789'));
    assert.deepEqual(second, first);
    assert.deepEqual(bundler.builds, [join(cacheDir, 'abcdef0123456789')]);
    const next = countingBundler('0123456789abcdef');
    assert.equal((await ensureSupervisorRuntime({ ...base, cacheDir, bundler: next }))?.hostDir, join(cacheDir, '0123456789abcdef'));
    assert.equal(next.builds.length, 1);
  });

  void it('uses supervisor_runtime_dir when set, without building', async () => {
    const dir = join(root, 'operator-bundle');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(MANIFEST));
    const bundler = countingBundler('abcdef0123456789');
    assert.equal((await ensureSupervisorRuntime({ ...base, configuredDir: dir, cacheDir: join(root, 'c2'), bundler }))?.hostDir, dir);
    assert.equal(bundler.builds.length, 0);
  });

  void it('refuses to start without a bundle or a bundler, naming both fixes and the opt-out', async () => {
    await assert.rejects(ensureSupervisorRuntime({ ...base, cacheDir: join(root, 'c3'), bundler: undefined }), (error: unknown) => {
      assert.ok(isShellgateError(error));
      assert.equal(error.code, ErrorCode.InvalidArgument);
      assert.match(error.message, /supervisor_runtime_dir is not set and @shellgate\/supervisor is not installed/);
      assert.match(error.hint ?? '', /shellgate-supervisor-bundle --out DIR/);
      assert.match(error.hint ?? '', /npm install @shellgate\/supervisor/);
      assert.match(error.hint ?? '', /inject_supervisor = false/);
      return true;
    });
  });

  void it('runs without a supervisor only when told to, and refuses a contradiction', async () => {
    assert.equal(await ensureSupervisorRuntime({ ...base, isEnabled: false, cacheDir: join(root, 'c4'), bundler: undefined }), undefined);
    await assert.rejects(
      ensureSupervisorRuntime({ ...base, isEnabled: false, configuredDir: '/some/bundle', cacheDir: join(root, 'c4'), bundler: undefined }),
      /inject_supervisor = false contradicts supervisor_runtime_dir/,
    );
  });

  void it('finds no bundler where @shellgate/supervisor is not resolvable', () => {
    assert.equal(findInstalledSupervisorBundler(join(root, 'nowhere', 'x.js')), undefined);
  });
});
