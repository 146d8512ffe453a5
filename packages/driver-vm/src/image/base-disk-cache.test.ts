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
    assert.deepEqual(readdirSync(join(root, 'images')), [`${'b'.repeat(64)}.erofs`], 'no work directory is left behind');
  });

  it('fails a missing image with ImageUnavailableError saying to pull or build it', async () => {
    const { source, run } = fakes();
    const cache = new BaseDiskCache({ dir: join(root, 'images-2'), sourceFor: () => source, run });
    await assert.rejects(cache.ensure('missing:1', signal, () => undefined), (error: Error) => error instanceof ImageUnavailableError && /pull or build it first/.test(error.message));
  });
});
