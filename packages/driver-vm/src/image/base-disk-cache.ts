import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { RunHostCommand } from '../host/run-host-command.js';
import type { ImageConfig, ImageSource } from './image-source.js';
import { ImageUnavailableError } from './image-source.js';

/** An image ready to boot: its config and its read-only root disk. */
export interface BaseDisk {
  readonly reference: string;
  readonly config: ImageConfig;
  /** An erofs image of the root filesystem, shared by every sandbox of the image. */
  readonly path: string;
}

export interface BaseDiskCacheOptions {
  /** `<cache_dir>/images`. */
  readonly dir: string;
  /** The source for a reference (engine CLI, or an archive for `docker-archive:`/`oci-archive:`). */
  readonly sourceFor: (reference: string) => ImageSource;
  readonly run: RunHostCommand;
}

/** A file name for an image id: its hex digest (Docker prefixes it with sha256:, Podman does not), else a hash of it. */
function toFileStem(imageId: string): string {
  const hex = /^(?:sha256:)?([0-9a-f]{64})$/.exec(imageId)?.[1];
  return hex ?? createHash('sha256').update(imageId).digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Base disks by image id under `<cache_dir>/images/<digest>.erofs`. A missing disk is built once (export, then
 * `mkfs.erofs`, uncompressed: the fastest to read under TCG) even when several sandboxes of
 * the image are created at once; the next sandbox of the image boots from the same file.
 * Disks appear whole (built beside, then renamed).
 */
export class BaseDiskCache {
  readonly #options: BaseDiskCacheOptions;
  readonly #building = new Map<string, Promise<string>>();

  constructor(options: BaseDiskCacheOptions) {
    this.#options = options;
  }

  /**
   * Resolves `reference` to its image config and base disk, building the disk if needed.
   * @throws ImageUnavailableError when the source does not have the image or cannot export it.
   */
  async ensure(reference: string, signal: AbortSignal, report: (message: string) => void): Promise<BaseDisk> {
    const source = this.#options.sourceFor(reference);
    const config = await source.inspect(reference, signal);
    if (config === undefined) throw new ImageUnavailableError(`image ${reference} is not in the local image store; pull or build it first`);
    const stem = toFileStem(config.id);
    const path = join(this.#options.dir, `${stem}.erofs`);
    if (await exists(path)) return { reference, config, path };
    let building = this.#building.get(stem);
    if (building === undefined) {
      building = this.#build(source, reference, config, stem, signal, report).finally(() => this.#building.delete(stem));
      this.#building.set(stem, building);
    }
    return { reference, config, path: await building };
  }

  async #build(source: ImageSource, reference: string, config: ImageConfig, stem: string, signal: AbortSignal, report: (message: string) => void): Promise<string> {
    const { dir, run } = this.#options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(dir, `.${stem.slice(0, 12)}-`));
    const path = join(dir, `${stem}.erofs`);
    try {
      report(`exporting image ${reference} (${config.id})`);
      const rootfs = join(work, 'rootfs');
      await mkdir(rootfs);
      await source.exportRootfs(reference, config, rootfs, signal);
      report(`packing image ${reference} into a read-only erofs disk`);
      await run('mkfs.erofs', ['--quiet', join(work, 'disk.erofs'), rootfs], { signal });
      await rename(join(work, 'disk.erofs'), path);
      return path;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
