import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runHostCommand } from '../host/run-host-command.js';
import { ArchiveImageSource, isArchiveReference } from './archive-image-source.js';
import { ImageUnavailableError } from './image-source.js';

const CONFIG_NAME = 'a'.repeat(64);
const root = mkdtempSync(join(tmpdir(), 'sg-archive-'));
const archiveDir = join(root, 'archives');
const signal = new AbortController().signal;

/** A tar of `files` (path → content; a trailing / makes a directory). */
function tarOf(dir: string, files: Record<string, string>): string {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(dir, path), { recursive: true });
    else {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  const tar = `${dir}.tar`;
  execFileSync('tar', ['-c', '-f', tar, '-C', dir, '.']);
  return tar;
}

before(() => {
  mkdirSync(archiveDir);
  const build = join(root, 'build');
  mkdirSync(join(build, 'l1'), { recursive: true });
  mkdirSync(join(build, 'l2'), { recursive: true });
  execFileSync('cp', [tarOf(join(root, 'layer1'), { 'a/keep': 'k', 'a/gone': 'g', 'd/old': 'o', 'b/x': 'x' }), join(build, 'l1', 'layer.tar')]);
  execFileSync('cp', [tarOf(join(root, 'layer2'), { 'a/.wh.gone': '', 'd/.wh..wh..opq': '', 'd/new': 'n' }), join(build, 'l2', 'layer.tar')]);
  writeFileSync(join(build, `${CONFIG_NAME}.json`), JSON.stringify({ config: { Cmd: ['sh'], Env: ['A=1'], WorkingDir: '/w', User: '1000' } }));
  writeFileSync(join(build, 'manifest.json'), JSON.stringify([{ Config: `${CONFIG_NAME}.json`, RepoTags: ['t:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]));
  execFileSync('tar', ['-c', '-f', join(archiveDir, 'image.tar'), '-C', build, '.']);
  writeFileSync(join(root, 'outside.tar'), 'not for sandboxes');
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('ArchiveImageSource', () => {
  const source = new ArchiveImageSource(archiveDir, runHostCommand);
  const reference = `docker-archive:${join(archiveDir, 'image.tar')}`;

  it('reads the config of a docker save archive, id included', async () => {
    assert.equal(isArchiveReference(reference) && isArchiveReference('oci-archive:/x') && !isArchiveReference('busybox:1'), true);
    assert.deepEqual(await source.inspect(reference, signal), { id: `sha256:${CONFIG_NAME}`, entrypoint: [], cmd: ['sh'], env: ['A=1'], user: '1000', workingDir: '/w' });
    assert.equal(await source.inspect(`docker-archive:${join(archiveDir, 'missing.tar')}`, signal), undefined);
  });

  it('applies the layers in order with their whiteouts', async () => {
    const rootfs = join(root, 'rootfs');
    mkdirSync(rootfs);
    const config = (await source.inspect(reference, signal))!;
    await source.exportRootfs(reference, config, rootfs, signal);
    assert.deepEqual(readdirSync(join(rootfs, 'a')), ['keep']);
    assert.deepEqual(readdirSync(join(rootfs, 'd')), ['new'], 'an opaque whiteout hides the lower layer\'s files');
    assert.ok(existsSync(join(rootfs, 'b', 'x')));
  });

  it('reads archives only from image_archive_dir', async () => {
    await assert.rejects(source.inspect(`docker-archive:${join(root, 'outside.tar')}`, signal), (error: Error) => error instanceof ImageUnavailableError && /only from image_archive_dir/.test(error.message));
    await assert.rejects(source.inspect(`docker-archive:${join(archiveDir, '..', 'outside.tar')}`, signal), /only from image_archive_dir/);
    await assert.rejects(new ArchiveImageSource(undefined, runHostCommand).inspect(reference, signal), /image_archive_dir is not set/);
  });
});
