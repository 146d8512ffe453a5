import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { RunHostCommand } from '../host/run-host-command.js';
import { HostCommandError } from '../host/run-host-command.js';
import type { ImageConfig, ImageEngine, ImageSource } from './image-source.js';
import { ImageUnavailableError } from './image-source.js';

interface InspectedImage {
  readonly Id?: string;
  readonly Config?: {
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Env?: readonly string[] | null;
    readonly User?: string;
    readonly WorkingDir?: string;
  } | null;
}

/** Files `docker export` adds to every container that are no part of the image. */
const ENGINE_ADDED_FILES = ['.dockerenv', '.containerenv'];

/** Reads `docker image inspect` output (Docker and Podman print the same fields). */
export function decodeInspectedImage(text: string): ImageConfig {
  const parsed = JSON.parse(text) as InspectedImage | InspectedImage[];
  const image = Array.isArray(parsed) ? parsed[0] : parsed;
  if (image?.Id === undefined) throw new Error('image inspect printed no Id');
  const config = image.Config ?? {};
  return {
    id: image.Id,
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    env: config.Env ?? [],
    user: config.User ?? '',
    workingDir: config.WorkingDir ?? '',
  };
}

/**
 * Images from the local Docker or Podman engine through its CLI (`image inspect`, then
 * `create` + `export -o` of a throwaway container, untarred with numeric owners), so the
 * driver shares no engine client code with the container drivers and works with either
 * engine the same way. The CLI finds the engine as it always does (DOCKER_HOST,
 * CONTAINER_HOST, contexts).
 */
export class EngineCliImageSource implements ImageSource {
  readonly #cli: ImageEngine;
  readonly #run: RunHostCommand;
  readonly #env: NodeJS.ProcessEnv;

  constructor(cli: ImageEngine, run: RunHostCommand, env: NodeJS.ProcessEnv) {
    this.#cli = cli;
    this.#run = run;
    this.#env = env;
  }

  async inspect(reference: string, signal: AbortSignal): Promise<ImageConfig | undefined> {
    let text: string;
    try {
      text = await this.#run(this.#cli, ['image', 'inspect', '--format', '{{json .}}', reference], { signal, env: this.#env });
    } catch (error) {
      if (error instanceof HostCommandError && error.exitCode !== null && /no such (image|object)|image not known|not found/i.test(error.stderr)) return undefined;
      if (error instanceof HostCommandError && error.isMissing) {
        throw new ImageUnavailableError(`the ${this.#cli} CLI is not installed, so image ${reference} cannot be read from the local engine`, { cause: error });
      }
      throw new ImageUnavailableError(`${this.#cli} image inspect ${reference} failed: ${(error as Error).message}`, { cause: error });
    }
    return decodeInspectedImage(text);
  }

  async exportRootfs(reference: string, config: ImageConfig, dir: string, signal: AbortSignal): Promise<void> {
    const name = `shellgate-vm-export-${randomBytes(6).toString('hex')}`;
    // An image without a command still exports: the container never runs.
    await this.#run(this.#cli, ['create', '--name', name, config.id, '/shellgate-export'], { signal, env: this.#env });
    // To a file, not a pipe: Podman opens /dev/stdout by name, which fails on a socket.
    const archive = join(dirname(dir), `${name}.tar`);
    try {
      await this.#run(this.#cli, ['export', '-o', archive, name], { signal, env: this.#env });
      await this.#run('tar', ['-x', '--numeric-owner', '-f', archive, '-C', dir], { signal });
    } catch (error) {
      throw new ImageUnavailableError(`exporting image ${reference} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      await rm(archive, { force: true });
      await this.#run(this.#cli, ['rm', '-f', name], { env: this.#env }).catch(() => undefined);
    }
    await Promise.all(ENGINE_ADDED_FILES.map((file) => rm(join(dir, file), { force: true })));
  }
}
