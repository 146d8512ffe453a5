import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { RunHostCommand } from '../host/run-host-command.js';
import { BaseDiskCache } from './base-disk-cache.js';
import type { ImageConfig, ImageSource } from './image-source.js';
import { ImageUnavailableError } from './image-source.js';

const root = mkdtempSync(join(tmpdir(), 'sg-base-disks-'));
after(() => rmSync(root, { recursive: true, force: true }));

const CONFIG: ImageConfig = { id: `sha256:${'b'.repeat(64)}`, entrypoint: [], cmd: ['sh'], env: [], user: '', workingDir: '' };
const signal = new AbortController().signal;

/** A source that knows one image and counts its exports; mkfs.erofs just writes the file. */
function fakes(): { source: ImageSource; run: RunHostCommand; exports: string[] } {
  const exports: string[] = [];
  const source: ImageSource = {
    inspect: async (reference) => (reference === 'known:1' ? CONFIG : undefined),
    exportRootfs: async (reference, _config, dir) => {
      exports.push(reference);
      await sleep(20);
      writeFileSync(join(dir, 'file'), 'x');
    },
  };
  const run: RunHostCommand = async (file, args) => {
    assert.equal(file, 'mkfs.erofs');
    writeFileSync(args.at(-2)!, 'erofs');
    return '';
  };
  return { source, run, exports };
}

describe('BaseDiskCache', () => {
  it('builds a disk once per image id, even for creates at once, and reuses it after', async () => {
    const { source, run, exports } = fakes();
    const cache = new BaseDiskCache({ dir: join(root, 'images'), sourceFor: () => source, run });
    const disks = await Promise.all([1, 2, 3].map(() => cache.ensure('known:1', signal, () => undefined)));
    assert.deepEqual(exports, ['known:1']);
    assert.ok(disks.every((disk) => disk.path === join(root, 'images', `${'b'.repeat(64)}.erofs`) && disk.config.id === CONFIG.id));
    await cache.ensure('known:1', signal, () => undefined);
    assert.equal(exports.length, 1, 'the second sandbox of the image reuses its disk');
    assert.deepEqual(readdirSync(join(root, 'images')).filter((name) => !name.endsWith('.ref.json')), [`${'b'.repeat(64)}.erofs`], 'no work directory is left behind');
  });

  it('boots a cached image while its engine is away, and fails one it never saw', async () => {
    const { source, run } = fakes();
    const dir = join(root, 'images-3');
    await new BaseDiskCache({ dir, sourceFor: () => source, run }).ensure('known:1', signal, () => undefined);
    const engineDown: ImageSource = {
      inspect: async () => {
        throw new ImageUnavailableError('docker image inspect known:1 failed: Cannot connect to the Docker daemon');
      },
      exportRootfs: async () => assert.fail('nothing is exported'),
    };
    const reports: string[] = [];
    const cache = new BaseDiskCache({ dir, sourceFor: () => engineDown, run });
    const disk = await cache.ensure('known:1', signal, (message) => reports.push(message));
    assert.equal(disk.config.id, CONFIG.id);
    assert.match(reports[0] ?? '', /Cannot connect.*booting the cached disk of known:1/);
    await assert.rejects(cache.ensure('other:1', signal, () => undefined), /Cannot connect to the Docker daemon/);
  });

  it('fails a missing image with ImageUnavailableError saying to pull or build it', async () => {
    const { source, run } = fakes();
    const cache = new BaseDiskCache({ dir: join(root, 'images-2'), sourceFor: () => source, run });
    await assert.rejects(cache.ensure('missing:1', signal, () => undefined), (error: Error) => error instanceof ImageUnavailableError && /pull or build it first/.test(error.message));
  });
});
