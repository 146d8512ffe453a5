import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';

import type { RunHostCommand } from '../host/run-host-command.js';
import type { ImageConfig, ImageSource } from './image-source.js';
import { ImageUnavailableError } from './image-source.js';

/** Image references that name an archive file instead of an engine's image. */
export const ARCHIVE_PREFIXES = ['docker-archive:', 'oci-archive:'] as const;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';

interface DockerManifestEntry {
  readonly Config: string;
  readonly Layers: readonly string[];
}

interface OciDescriptor {
  readonly digest: string;
}

interface ImageConfigFile {
  readonly config?: { readonly Entrypoint?: string[] | null; readonly Cmd?: string[] | null; readonly Env?: string[] | null; readonly User?: string; readonly WorkingDir?: string } | null;
}

/** Where an image's parts sit inside an archive: the config and the layers, bottom first. */
interface ArchiveLayout {
  readonly imageId: string;
  readonly configPath: string;
  readonly layerPaths: readonly string[];
}

/** Whether a reference names an archive (`docker-archive:PATH`, `oci-archive:PATH`). */
export function isArchiveReference(reference: string): boolean {
  return ARCHIVE_PREFIXES.some((prefix) => reference.startsWith(prefix));
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/**
 * Images from archive files on the driver's host: `docker save` output (`manifest.json`)
 * or an OCI image layout (`index.json`, its first manifest), named `docker-archive:PATH` or
 * `oci-archive:PATH`. Only files under `archiveDir` (the `image_archive_dir` setting) are
 * read, by real path: an image reference comes from whoever creates a sandbox, and must not
 * turn a host file into a VM's disk. Layers are applied in order with their whiteouts.
 */
export class ArchiveImageSource implements ImageSource {
  readonly #archiveDir: string | undefined;
  readonly #run: RunHostCommand;

  constructor(archiveDir: string | undefined, run: RunHostCommand) {
    this.#archiveDir = archiveDir;
    this.#run = run;
  }

  async inspect(reference: string, signal: AbortSignal): Promise<ImageConfig | undefined> {
    const archive = await this.#resolveArchive(reference);
    if (archive === undefined) return undefined;
    const layout = await this.#readLayout(archive, signal);
    const config = JSON.parse(await this.#readMember(archive, layout.configPath, signal)) as ImageConfigFile;
    const inner = config.config ?? {};
    return {
      id: layout.imageId,
      entrypoint: inner.Entrypoint ?? [],
      cmd: inner.Cmd ?? [],
      env: inner.Env ?? [],
      user: inner.User ?? '',
      workingDir: inner.WorkingDir ?? '',
    };
  }

  async exportRootfs(reference: string, _config: ImageConfig, dir: string, signal: AbortSignal): Promise<void> {
    const archive = await this.#resolveArchive(reference);
    if (archive === undefined) throw new ImageUnavailableError(`archive of ${reference} disappeared`);
    const layout = await this.#readLayout(archive, signal);
    const unpacked = await mkdtemp(join(dirname(dir), '.archive-'));
    try {
      await this.#run('tar', ['-x', '-f', archive, '-C', unpacked, ...layout.layerPaths], { signal });
      for (const layer of layout.layerPaths) await this.#applyLayer(join(unpacked, layer), dir, signal);
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  }

  /** The archive's real path, checked to be under `image_archive_dir`; undefined when the file is missing. */
  async #resolveArchive(reference: string): Promise<string | undefined> {
    const prefix = ARCHIVE_PREFIXES.find((candidate) => reference.startsWith(candidate)) ?? '';
    const path = reference.slice(prefix.length);
    if (this.#archiveDir === undefined) {
      throw new ImageUnavailableError(`image ${reference} names an archive file, and this driver reads none (image_archive_dir is not set)`);
    }
    if (!isAbsolute(path)) throw new ImageUnavailableError(`image ${reference}: the archive path must be absolute`);
    let real: string;
    try {
      real = await realpath(path);
      if (!(await stat(real)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    const root = await realpath(this.#archiveDir);
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      throw new ImageUnavailableError(`image ${reference}: archives are read only from image_archive_dir (${root})`);
    }
    return real;
  }

  async #readMember(archive: string, member: string, signal: AbortSignal): Promise<string> {
    return this.#run('tar', ['-x', '-O', '-f', archive, member], { signal });
  }

  async #readLayout(archive: string, signal: AbortSignal): Promise<ArchiveLayout> {
    const listed = (await this.#run('tar', ['-t', '-f', archive], { signal })).split('\n');
    // Some tools write members as ./manifest.json: keep their spelling for extraction.
    const prefix = listed.includes('./manifest.json') || listed.includes('./index.json') ? './' : '';
    const members = new Set(listed.map((name) => name.replace(/^\.\//, '')));
    if (members.has('manifest.json')) {
      const [entry] = JSON.parse(await this.#readMember(archive, `${prefix}manifest.json`, signal)) as DockerManifestEntry[];
      if (entry === undefined) throw new ImageUnavailableError(`${basename(archive)}: manifest.json lists no image`);
      const configName = basename(entry.Config).replace(/\.json$/, '');
      return { imageId: `sha256:${configName}`, configPath: `${prefix}${entry.Config}`, layerPaths: entry.Layers.map((layer) => `${prefix}${layer}`) };
    }
    if (members.has('index.json')) {
      const index = JSON.parse(await this.#readMember(archive, `${prefix}index.json`, signal)) as { manifests?: OciDescriptor[] };
      const first = index.manifests?.[0];
      if (first === undefined) throw new ImageUnavailableError(`${basename(archive)}: index.json lists no manifest`);
      const manifest = JSON.parse(await this.#readMember(archive, `${prefix}${blobPath(first.digest)}`, signal)) as { config: OciDescriptor; layers: OciDescriptor[] };
      return { imageId: manifest.config.digest, configPath: `${prefix}${blobPath(manifest.config.digest)}`, layerPaths: manifest.layers.map((layer) => `${prefix}${blobPath(layer.digest)}`) };
    }
    throw new ImageUnavailableError(`${basename(archive)} is neither a docker save archive (manifest.json) nor an OCI layout (index.json)`);
  }

  /**
   * One layer on top of `rootfs`: its whiteouts first remove what lower layers put there
   * (`.wh.NAME` a file, `.wh..wh..opq` a directory's whole content), then its files are
   * extracted with numeric owners, whiteout markers left out. GNU tar detects compression.
   */
  async #applyLayer(layer: string, rootfs: string, signal: AbortSignal): Promise<void> {
    const members = (await this.#run('tar', ['-t', '-f', layer], { signal })).split('\n').filter((name) => name !== '');
    for (const member of members) {
      const name = basename(member);
      if (!name.startsWith(WHITEOUT_PREFIX)) continue;
      const parent = join(rootfs, dirname(member));
      if (!isInside(rootfs, parent)) continue;
      if (name === OPAQUE_WHITEOUT) {
        await this.#run('find', [parent, '-mindepth', '1', '-maxdepth', '1', '-exec', 'rm', '-rf', '{}', '+'], { signal }).catch(() => '');
      } else {
        await rm(join(parent, name.slice(WHITEOUT_PREFIX.length)), { recursive: true, force: true });
      }
    }
    await this.#run('tar', ['-x', '--numeric-owner', '-f', layer, '-C', rootfs, `--exclude=${WHITEOUT_PREFIX}*`], { signal });
  }
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}

