/** Engines whose CLI can export an image (`create` + `export`). */
export const ImageEngine = {
  Docker: 'docker',
  Podman: 'podman',
} as const;
export type ImageEngine = (typeof ImageEngine)[keyof typeof ImageEngine];

/** What the VM needs from an image's config, in Docker's terms. */
export interface ImageConfig {
  /** Immutable id (`sha256:…`); the base disk is cached under it. */
  readonly id: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** `KEY=value` entries. */
  readonly env: readonly string[];
  /** Docker USER syntax; empty: root. */
  readonly user: string;
  /** Empty: `/`. */
  readonly workingDir: string;
}

/** The image could not be found or exported: the sandbox fails with ImagePullFailed. */
export class ImageUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageUnavailableError';
  }
}

/**
 * Where images come from: a local engine's CLI or an archive file. One strategy per source,
 * chosen by the image reference (`docker-archive:` and `oci-archive:` prefixes pick an
 * archive, anything else the configured engine).
 */
export interface ImageSource {
  /** The config of `reference`; undefined when the source does not have it. */
  inspect(reference: string, signal: AbortSignal): Promise<ImageConfig | undefined>;
  /** Writes the image's root filesystem into the empty directory `dir`, owners kept numerically. */
  exportRootfs(reference: string, config: ImageConfig, dir: string, signal: AbortSignal): Promise<void>;
}
