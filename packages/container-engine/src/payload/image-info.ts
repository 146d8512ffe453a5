import { asRecord, readString, readStrings } from './json-record.js';

/** What a driver reads from an image inspect. */
export interface ImageInfo {
  /** The immutable id (`sha256:...`). */
  readonly id: string;
  /** `Config.Entrypoint`; empty when the image has none. */
  readonly entrypoint: readonly string[];
  /** `Config.Cmd`; empty when the image has none. */
  readonly cmd: readonly string[];
  /** `Config.User` (`name[:group]` or `uid[:gid]`); empty: root. */
  readonly user: string;
}

/** An image inspect answer (Docker's `/images/{name}/json`; Podman's compat and libpod ones have the same fields). */
export function decodeImageInspect(inspect: unknown): ImageInfo {
  const record = asRecord(inspect);
  const config = asRecord(record['Config']);
  return {
    id: readString(record, 'Id') ?? '',
    entrypoint: readStrings(config, 'Entrypoint'),
    cmd: readStrings(config, 'Cmd'),
    user: readString(config, 'User') ?? '',
  };
}
