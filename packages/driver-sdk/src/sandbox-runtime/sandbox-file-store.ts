import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError, quoteValue } from '../errors.js';

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

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Writes `path` atomically with `mode`: a temp file beside it, then rename. */
async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: FILE_MODE });
  await chmod(temporary, FILE_MODE);
  await rename(temporary, path);
}

/**
 * A driver's files under its state dir: `sandboxes/<id>/token` (the sandbox JWT as delivered
 * into the sandbox, which the supervisor empties once it has read it), `sandboxes/<id>/token.kept`
 * (the JWT the driver delivers from again before every start; never mounted) and
 * `sandboxes/<id>/state.json` (a {@link SandboxRecord}). Directories are 0700, files 0600,
 * writes atomic; everything survives a driver restart.
 */
export class SandboxFileStore<R extends SandboxRecord = SandboxRecord> {
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = rootDir;
  }

  /** Creates the state dir and `sandboxes/` 0700 (and tightens them if they exist). */
  async prepare(): Promise<void> {
    const sandboxesDir = join(this.rootDir, SANDBOXES_DIR);
    await mkdir(sandboxesDir, { recursive: true, mode: DIR_MODE });
    await chmod(this.rootDir, DIR_MODE);
    await chmod(sandboxesDir, DIR_MODE);
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
    await this.#ensureSandboxDir(sandboxId);
    await writeFileAtomic(this.keptTokenPath(sandboxId), token);
    const path = this.tokenPath(sandboxId);
    await writeFileAtomic(path, token);
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
    const token = (await readIfPresent(this.keptTokenPath(sandboxId))) ?? (await this.#adoptDeliveredToken(sandboxId));
    const path = this.tokenPath(sandboxId);
    await writeFileAtomic(path, token);
    return path;
  }

  async readState(sandboxId: string): Promise<R | undefined> {
    try {
      return JSON.parse(await readFile(join(this.sandboxDir(sandboxId), STATE_FILE), 'utf8')) as R;
    } catch (error) {
      if (isMissing(error) || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async writeState(record: R): Promise<void> {
    await this.#ensureSandboxDir(record.id);
    await writeFileAtomic(join(this.sandboxDir(record.id), STATE_FILE), `${JSON.stringify(record)}\n`);
  }

  /** Every state file; unreadable ones are skipped. */
  async listStates(): Promise<R[]> {
    let names: string[];
    try {
      names = await readdir(join(this.rootDir, SANDBOXES_DIR));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const records: R[] = [];
    for (const name of names) {
      try {
        records.push(JSON.parse(await readFile(join(this.rootDir, SANDBOXES_DIR, name, STATE_FILE), 'utf8')) as R);
      } catch (error) {
        if (!isMissing(error) && !(error instanceof SyntaxError)) throw error;
      }
    }
    return records;
  }

  /** Removes the sandbox's token and state; nothing to remove is fine. */
  async remove(sandboxId: string): Promise<void> {
    await rm(this.sandboxDir(sandboxId), { recursive: true, force: true });
  }

  async #adoptDeliveredToken(sandboxId: string): Promise<string> {
    const token = (await readIfPresent(this.tokenPath(sandboxId))) ?? '';
    if (token === '') {
      throw new FailedPreconditionError(`sandbox ${quoteValue(sandboxId)} has no token to deliver: ${this.keptTokenPath(sandboxId)} is missing and ${this.tokenPath(sandboxId)} is missing or empty`, {
        hint: 'its files in the driver state dir were lost; delete the sandbox and create it again',
      });
    }
    await writeFileAtomic(this.keptTokenPath(sandboxId), token);
    return token;
  }

  async #ensureSandboxDir(sandboxId: string): Promise<void> {
    const dir = this.sandboxDir(sandboxId);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
  }
}
