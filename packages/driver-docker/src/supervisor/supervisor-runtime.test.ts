import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';

import { SUPERVISOR_RUNTIME_TARGET, loadSupervisorRuntime, toSupervisorArgs } from './supervisor-runtime.js';

const MANIFEST = {
  format: 1,
  supervisorVersion: '0.1.0',
  entrypoint: ['{root}/lib/ld-linux-x86-64.so.2', '--library-path', '{root}/lib', '{root}/bin/node', '{root}/supervisor.mjs'],
};

void describe('supervisor runtime bundle', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sg-docker-runtime-'));
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
        '/opt/shellgate/runtime/supervisor.mjs',
      ],
    });
    assert.equal(SUPERVISOR_RUNTIME_TARGET, '/opt/shellgate/runtime');
  });

  const bad: [string, string | undefined, RegExp][] = [
    ['no manifest.json', undefined, /cannot read .*manifest\.json \(ENOENT\)/],
    ['a manifest that is not JSON', '{format: 1', /is not JSON/],
    ['a manifest that is not an object', '[1]', /format is undefined/],
    ['another format', JSON.stringify({ ...MANIFEST, format: 2 }), /format is 2, this driver reads format 1/],
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

  void it('passes --tty only for a tty, and always ends the options with --', () => {
    assert.deepEqual(toSupervisorArgs(['sleep', '1'], false), ['--', 'sleep', '1']);
    assert.deepEqual(toSupervisorArgs(['--tty'], true), ['--tty', '--', '--tty']);
  });
});
