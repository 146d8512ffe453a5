import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { FailedPreconditionError, SandboxFileStore, quoteValue } from '@shellgate/driver-sdk';

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** Under the state dir: the kept copies, never mounted into a sandbox. */
const KEPT_DIR = 'kept-tokens';

/**
 * Delivers each sandbox's token as the file its supervisor reads, again before every start.
 * The supervisor reads the mounted file into memory and empties it (issue 10: the agent
 * must not find the token on disk), so the file a container mounts holds the token only
 * until its supervisor has it. The real token stays in a second, unmounted 0600 file under
 * the state dir (`kept-tokens/sandboxes/<id>/token`), from which every start refills the
 * mounted one. Both are the SDK's `SandboxFileStore` files: 0600 in 0700 directories,
 * written atomically (a start bind-mounts the path afresh, so a replaced file is what the
 * container sees).
 */
export class TokenDelivery {
  readonly #mounted: SandboxFileStore;
  readonly #kept: SandboxFileStore;

  constructor(store: SandboxFileStore) {
    this.#mounted = store;
    this.#kept = new SandboxFileStore(join(store.rootDir, KEPT_DIR));
  }

  /** Creates the kept copies' directory 0700. */
  async prepare(): Promise<void> {
    await this.#kept.prepare();
  }

  /** Keeps `token` for `sandboxId` and delivers it; answers the host path to mount. */
  async keep(sandboxId: string, token: string): Promise<string> {
    await this.#kept.writeToken(sandboxId, token);
    return this.#mounted.writeToken(sandboxId, token);
  }

  /**
   * Refills the mounted file from the kept copy, before a start; answers its host path.
   * @throws FailedPreconditionError when the kept copy is gone (its supervisor could not connect).
   */
  async deliver(sandboxId: string): Promise<string> {
    let token: string;
    try {
      token = await readFile(this.#kept.tokenPath(sandboxId), 'utf8');
    } catch (error) {
      if (!isMissing(error)) throw error;
      throw new FailedPreconditionError(`sandbox ${quoteValue(sandboxId)} has lost its token (no ${this.#kept.tokenPath(sandboxId)})`, {
        hint: 'delete the sandbox and create it again',
      });
    }
    return this.#mounted.writeToken(sandboxId, token);
  }

  /** Removes the kept copy (the mounted file goes with the sandbox's state). */
  async remove(sandboxId: string): Promise<void> {
    await this.#kept.remove(sandboxId);
  }
}
