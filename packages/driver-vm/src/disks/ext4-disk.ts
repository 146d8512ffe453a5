import { rm } from 'node:fs/promises';

import type { RunHostCommand } from '../host/run-host-command.js';

/**
 * Creates an empty ext4 file system in a new sparse file of `sizeMib` (a few MiB on disk
 * until the guest writes), with a small journal so a VM killed hard keeps a consistent
 * disk, and no blocks reserved for root. The inode tables mke2fs leaves uninitialised are
 * zeroes in a sparse file anyway, so `/init` mounts with `noinit_itable` and the guest
 * kernel skips zeroing them (slow under TCG).
 */
export async function createExt4Disk(path: string, sizeMib: number, run: RunHostCommand, signal?: AbortSignal): Promise<void> {
  await rm(path, { force: true });
  await run('mke2fs', ['-q', '-F', '-t', 'ext4', '-m', '0', '-J', 'size=4', path, `${sizeMib}M`], signal === undefined ? {} : { signal });
}
