import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';

import { FailedPreconditionError, quoteValue } from '../errors.js';
import { toStorageError } from '../storage-full-error.js';

/** The file-system calls the store makes; tests pass one that fails like a full disk. */
export type SandboxFileSystem = Pick<typeof nodeFs, 'chmod' | 'mkdir' | 'readFile' | 'readdir' | 'rename' | 'rm' | 'writeFile'>;

export interface SandboxFileStoreOptions {
  /** Default: `node:fs/promises`. */
  readonly fs?: SandboxFileSystem;
}

/** A create that failed before the backend object existed, kept so Get/List/Watch still show it. */
export interface ProvisioningFailure {
  readonly reason: string;
  readonly message: string;
}

/**
 * What a driver keeps per sandbox beside the backend object (labels are immutable on most
 * engines). Drivers may extend it with fields of their own.
 */
export interface SandboxRecord {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly workspace: string;
  /** Set by StopSandbox, cleared by StartSandbox: an exited backend object then means Stopped. */
  readonly isStoppedByUs: boolean;
  readonly failure?: ProvisioningFailure;
}

const SANDBOXES_DIR = 'sandboxes';
const TOKEN_FILE = 'token';
const KEPT_TOKEN_FILE = 'token.kept';
const STATE_FILE = 'state.json';
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** A directory name for a sandbox id: the id itself when it is path-safe, else its hash. */
function toDirName(sandboxId: string): string {
  return SAFE_ID.test(sandboxId) ? sandboxId : `h-${createHash('sha256').update(sandboxId).digest('hex')}`;
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/**
 * Writes `path` atomically with `mode`: a temp file beside it, then rename. A failed write
 * (a full disk) leaves the old file whole and removes the partial temp file.
 */
async function writeFileAtomic(fs: SandboxFileSystem, path: string, data: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, data, { mode: FILE_MODE });
    await fs.chmod(temporary, FILE_MODE);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * A driver's files under its state dir: `sandboxes/<id>/token` (the sandbox JWT as delivered
 * into the sandbox, which the supervisor empties once it has read it), `sandboxes/<id>/token.kept`
 * (the JWT the driver delivers from again before every start; never mounted) and
 * `sandboxes/<id>/state.json` (a {@link SandboxRecord}). Directories are 0700, files 0600,
 * writes atomic; everything survives a driver restart.
 * A write that finds the disk full throws a `StorageFullError` (RESOURCE_EXHAUSTED) naming
 * the state dir, never a bare ENOSPC that would reach the gateway as INTERNAL.
 */
export class SandboxFileStore<R extends SandboxRecord = SandboxRecord> {
  readonly rootDir: string;
  readonly #fs: SandboxFileSystem;

  constructor(rootDir: string, options: SandboxFileStoreOptions = {}) {
    this.rootDir = rootDir;
    this.#fs = options.fs ?? nodeFs;
  }

  /** Creates the state dir and `sandboxes/` 0700 (and tightens them if they exist). */
  async prepare(): Promise<void> {
    await this.#write('prepare the driver state directory', async () => {
      const sandboxesDir = join(this.rootDir, SANDBOXES_DIR);
      await this.#fs.mkdir(sandboxesDir, { recursive: true, mode: DIR_MODE });
      await this.#fs.chmod(this.rootDir, DIR_MODE);
      await this.#fs.chmod(sandboxesDir, DIR_MODE);
    });
  }

  sandboxDir(sandboxId: string): string {
    return join(this.rootDir, SANDBOXES_DIR, toDirName(sandboxId));
  }

  /** Host path of the sandbox's token file: the one to mount into the sandbox. */
  tokenPath(sandboxId: string): string {
    return join(this.sandboxDir(sandboxId), TOKEN_FILE);
  }

  /** Host path of the kept copy of the token: never to be mounted. */
  keptTokenPath(sandboxId: string): string {
    return join(this.sandboxDir(sandboxId), KEPT_TOKEN_FILE);
  }

  /** Keeps the token and writes the file to deliver (both 0600 in a 0700 directory); returns the delivered file's host path. */
  async writeToken(sandboxId: string, token: string): Promise<string> {
    const path = this.tokenPath(sandboxId);
    await this.#write(`write the token of sandbox ${quoteValue(sandboxId)}`, async () => {
      await this.#ensureSandboxDir(sandboxId);
      await writeFileAtomic(this.#fs, this.keptTokenPath(sandboxId), token);
      await writeFileAtomic(this.#fs, path, token);
    });
    return path;
  }

  /**
   * Writes the token file again from the kept copy, because the supervisor of the previous
   * start emptied it. Call it before every start of the sandbox, never while it runs: the
   * write replaces the file (a rename), and a running container keeps the old inode mounted.
   * A sandbox from before the kept copy existed adopts its token file as the copy.
   * @returns the delivered file's host path.
   * @throws FailedPreconditionError when neither file holds a token (the state dir lost them).
   */
  async deliverToken(sandboxId: string): Promise<string> {
    const token = (await this.#readIfPresent(this.keptTokenPath(sandboxId))) ?? (await this.#adoptDeliveredToken(sandboxId));
    const path = this.tokenPath(sandboxId);
    await this.#write(`deliver the token of sandbox ${quoteValue(sandboxId)}`, () => writeFileAtomic(this.#fs, path, token));
    return path;
  }

  async readState(sandboxId: string): Promise<R | undefined> {
    try {
      return JSON.parse(await this.#fs.readFile(join(this.sandboxDir(sandboxId), STATE_FILE), 'utf8')) as R;
    } catch (error) {
      if (isMissing(error) || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async writeState(record: R): Promise<void> {
    await this.#write(`write the state of sandbox ${quoteValue(record.id)}`, async () => {
      await this.#ensureSandboxDir(record.id);
      await writeFileAtomic(this.#fs, join(this.sandboxDir(record.id), STATE_FILE), `${JSON.stringify(record)}\n`);
    });
  }

  /** Every state file; unreadable ones are skipped. */
  async listStates(): Promise<R[]> {
    let names: string[];
    try {
      names = await this.#fs.readdir(join(this.rootDir, SANDBOXES_DIR));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const records: R[] = [];
    for (const name of names) {
      try {
        records.push(JSON.parse(await this.#fs.readFile(join(this.rootDir, SANDBOXES_DIR, name, STATE_FILE), 'utf8')) as R);
      } catch (error) {
        if (!isMissing(error) && !(error instanceof SyntaxError)) throw error;
      }
    }
    return records;
  }

  /** Removes the sandbox's token and state; nothing to remove is fine. */
  async remove(sandboxId: string): Promise<void> {
    await this.#fs.rm(this.sandboxDir(sandboxId), { recursive: true, force: true });
  }

  async #readIfPresent(path: string): Promise<string | undefined> {
    try {
      return await this.#fs.readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async #adoptDeliveredToken(sandboxId: string): Promise<string> {
    const token = (await this.#readIfPresent(this.tokenPath(sandboxId))) ?? '';
    if (token === '') {
      throw new FailedPreconditionError(`sandbox ${quoteValue(sandboxId)} has no token to deliver: ${this.keptTokenPath(sandboxId)} is missing and ${this.tokenPath(sandboxId)} is missing or empty`, {
        hint: 'its files in the driver state dir were lost; delete the sandbox and create it again',
      });
    }
    await this.#write(`keep the token of sandbox ${quoteValue(sandboxId)}`, () => writeFileAtomic(this.#fs, this.keptTokenPath(sandboxId), token));
    return token;
  }

  async #ensureSandboxDir(sandboxId: string): Promise<void> {
    const dir = this.sandboxDir(sandboxId);
    await this.#fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
    await this.#fs.chmod(dir, DIR_MODE);
  }

  async #write(operation: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw toStorageError(error, this.rootDir, operation);
    }
  }
}
