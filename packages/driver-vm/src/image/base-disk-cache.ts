import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
 * Base disks by image id under `<cache_dir>/images/<digest>.erofs`. A missing disk is built
 * once (export, then `mkfs.erofs`, uncompressed: the fastest to read under TCG) even when
 * several sandboxes of the image are created at once; the next sandbox of the image boots
 * from the same file. Disks appear whole (built beside, then renamed). What each reference
 * last resolved to is kept beside (`<hash of the reference>.ref.json`), so a reference whose
 * disk is cached still boots while the engine that owns it is down or restarting.
 */
export class BaseDiskCache {
  readonly #options: BaseDiskCacheOptions;
  readonly #building = new Map<string, Promise<string>>();
  /** Reference → image id last written to its `.ref.json` by this process. */
  readonly #remembered = new Map<string, string>();

  constructor(options: BaseDiskCacheOptions) {
    this.#options = options;
  }

  /**
   * Resolves `reference` to its image config and base disk, building the disk if needed.
   * @throws ImageUnavailableError when the source does not have the image or cannot export it.
   */
  async ensure(reference: string, signal: AbortSignal, report: (message: string) => void): Promise<BaseDisk> {
    const source = this.#options.sourceFor(reference);
    let config: ImageConfig | undefined;
    try {
      config = await source.inspect(reference, signal);
    } catch (error) {
      const remembered = await this.#recall(reference);
      if (!(error instanceof ImageUnavailableError) || remembered === undefined) throw error;
      report(`${error.message}; booting the cached disk of ${reference} (${remembered.config.id})`);
      return remembered;
    }
    if (config === undefined) throw new ImageUnavailableError(`image ${reference} is not in the local image store; pull or build it first`);
    const stem = toFileStem(config.id);
    const path = join(this.#options.dir, `${stem}.erofs`);
    if (await exists(path)) {
      await this.#remember(reference, config);
      return { reference, config, path };
    }
    let building = this.#building.get(stem);
    if (building === undefined) {
      building = this.#build(source, reference, config, stem, signal, report).finally(() => this.#building.delete(stem));
      this.#building.set(stem, building);
    }
    const built = await building;
    await this.#remember(reference, config);
    return { reference, config, path: built };
  }

  #refPath(reference: string): string {
    return join(this.#options.dir, `${createHash('sha256').update(reference).digest('hex').slice(0, 32)}.ref.json`);
  }

  /** Notes what `reference` resolved to (once per id and process: a create does not write a file each time). */
  async #remember(reference: string, config: ImageConfig): Promise<void> {
    if (this.#remembered.get(reference) === config.id) return;
    const path = this.#refPath(reference);
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify({ reference, config })}\n`, { mode: 0o600 });
      await rename(temporary, path);
      this.#remembered.set(reference, config.id);
    } catch {
      // Only an optimisation for when the engine is away; the create goes on.
    }
  }

  /** What `reference` last resolved to, when its disk is still cached. */
  async #recall(reference: string): Promise<BaseDisk | undefined> {
    try {
      const { config } = JSON.parse(await readFile(this.#refPath(reference), 'utf8')) as { config: ImageConfig };
      const path = join(this.#options.dir, `${toFileStem(config.id)}.erofs`);
      return (await exists(path)) ? { reference, config, path } : undefined;
    } catch {
      return undefined;
    }
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
