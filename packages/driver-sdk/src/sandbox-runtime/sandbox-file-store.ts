import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';

import { quoteValue } from '../errors.js';
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
 * A driver's files under its state dir: `sandboxes/<id>/token` (the sandbox JWT, 0600,
 * delivered read-only into the sandbox) and `sandboxes/<id>/state.json` (a {@link SandboxRecord}).
 * Directories are 0700, files 0600, writes atomic; everything survives a driver restart.
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

  /** Host path of the sandbox's token file. */
  tokenPath(sandboxId: string): string {
    return join(this.sandboxDir(sandboxId), TOKEN_FILE);
  }

  /** Writes the token 0600 in a 0700 directory; returns the file's host path. */
  async writeToken(sandboxId: string, token: string): Promise<string> {
    const path = this.tokenPath(sandboxId);
    await this.#write(`write the token of sandbox ${quoteValue(sandboxId)}`, async () => {
      await this.#ensureSandboxDir(sandboxId);
      await writeFileAtomic(this.#fs, path, token);
    });
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
