import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { RunHostCommand } from '../host/run-host-command.js';

/**
 * A hash of a directory tree's names, modes and contents (about 0.2 s for a 100 MB bundle):
 * the same bundle built again anywhere maps to the same disk, a changed one to a new disk.
 */
async function fingerprintTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries.map((entry) => join(entry.parentPath, entry.name)).sort();
  for (const path of paths) {
    const info = await lstat(path);
    hash.update(`${relative(root, path)}\0${info.mode}\0`);
    if (info.isFile()) {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } else if (info.isSymbolicLink()) {
      hash.update(await readlink(path));
    }
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The supervisor runtime bundle as a read-only erofs disk (`/init` mounts it at
 * /opt/shellgate/runtime), cached in `dir` by a fingerprint of the bundle directory, so a
 * rebuilt bundle gets a new disk and a running VM keeps the one it booted with.
 */
export async function ensureRuntimeDisk(bundleDir: string, dir: string, run: RunHostCommand): Promise<string> {
  const path = join(dir, `${await fingerprintTree(bundleDir)}.erofs`);
  try {
    await stat(path);
    return path;
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(dir, '.build-'));
    try {
      await run('mkfs.erofs', ['--quiet', join(work, 'runtime.erofs'), bundleDir]);
      await rename(join(work, 'runtime.erofs'), path);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return path;
  }
}
