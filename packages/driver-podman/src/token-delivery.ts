import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { FailedPreconditionError, quoteValue } from '@shellgate/driver-sdk';
import type { SandboxFileStore } from '@shellgate/driver-sdk';

/** Beside the delivered `token` in the sandbox's state dir; never mounted. */
const KEPT_TOKEN_FILE = 'token.kept';
const FILE_MODE = 0o600;

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Delivers each sandbox's token as the file its supervisor reads, again before every start.
 * The supervisor reads the mounted file into memory and empties it (issue 10: the agent must
 * not find the token on disk), so the real token stays in a second 0600 file the container
 * never mounts, `sandboxes/<id>/token.kept`, from which every start refills the mounted
 * `sandboxes/<id>/token` (the store's atomic write: a start bind-mounts the path afresh, so
 * the replaced file is what the container sees). The same files and rules as the SDK
 * store's kept token, which the hardening branch adds; this goes once that is on main.
 */
export class TokenDelivery {
  readonly #store: SandboxFileStore;

  constructor(store: SandboxFileStore) {
    this.#store = store;
  }

  /** Host path of the kept copy. */
  keptTokenPath(sandboxId: string): string {
    return join(this.#store.sandboxDir(sandboxId), KEPT_TOKEN_FILE);
  }

  /** Keeps `token` for `sandboxId` and delivers it; answers the host path to mount. */
  async keep(sandboxId: string, token: string): Promise<string> {
    const delivered = await this.#store.writeToken(sandboxId, token);
    await this.#writeKept(sandboxId, token);
    return delivered;
  }

  /**
   * Refills the mounted file from the kept copy, before a start, never while it runs;
   * answers its host path. A sandbox without a kept copy adopts its token file as the copy.
   * @throws FailedPreconditionError when neither file holds a token (the state dir lost them).
   */
  async deliver(sandboxId: string): Promise<string> {
    const kept = await readIfPresent(this.keptTokenPath(sandboxId));
    if (kept !== undefined) return this.#store.writeToken(sandboxId, kept);
    const delivered = (await readIfPresent(this.#store.tokenPath(sandboxId))) ?? '';
    if (delivered === '') {
      throw new FailedPreconditionError(`sandbox ${quoteValue(sandboxId)} has no token to deliver: ${this.keptTokenPath(sandboxId)} is missing and ${this.#store.tokenPath(sandboxId)} is missing or empty`, {
        hint: 'its files in the driver state dir were lost; delete the sandbox and create it again',
      });
    }
    await this.#writeKept(sandboxId, delivered);
    return this.#store.tokenPath(sandboxId);
  }

  /** 0600 in the sandbox's 0700 dir (made by the store's token write), atomically. */
  async #writeKept(sandboxId: string, token: string): Promise<void> {
    const path = this.keptTokenPath(sandboxId);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, token, { mode: FILE_MODE });
    await chmod(temporary, FILE_MODE);
    await rename(temporary, path);
  }
}
