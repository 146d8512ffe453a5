import type { RunHostCommand } from '../host/run-host-command.js';
import { ArchiveImageSource, isArchiveReference } from './archive-image-source.js';
import { EngineCliImageSource } from './engine-cli-image-source.js';
import type { ImageEngine, ImageSource } from './image-source.js';

/**
 * The image source for each reference: an archive file for `docker-archive:PATH` and
 * `oci-archive:PATH` (only under `archiveDir`), else the configured engine's CLI.
 */
export function createImageSources(
  engine: ImageEngine,
  archiveDir: string | undefined,
  run: RunHostCommand,
  env: Readonly<Record<string, string | undefined>>,
): (reference: string) => ImageSource {
  const cli = new EngineCliImageSource(engine, run, { ...env });
  const archives = new ArchiveImageSource(archiveDir, run);
  return (reference) => (isArchiveReference(reference) ? archives : cli);
}
