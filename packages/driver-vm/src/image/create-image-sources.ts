import type { RunHostCommand } from '../host/run-host-command.js';
import { EngineCliImageSource } from './engine-cli-image-source.js';
import type { ImageEngine, ImageSource } from './image-source.js';

/** The image source for each reference: the configured engine's CLI. */
export function createImageSources(engine: ImageEngine, run: RunHostCommand, env: Readonly<Record<string, string | undefined>>): (reference: string) => ImageSource {
  const cli = new EngineCliImageSource(engine, run, { ...env });
  return () => cli;
}
