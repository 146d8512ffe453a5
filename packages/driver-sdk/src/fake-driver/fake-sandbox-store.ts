import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ErrorCode, ShellgateError, SandboxNotFoundError } from '../errors.js';
import { DriverSandbox } from '../gen/compute_driver.js';
import type { WatchHub } from '../watch/index.js';
import { SharedStateDir } from './shared-state-dir.js';

const STATE_FORMAT_VERSION = 1;

/** How often a store on a shared state directory looks for other processes' changes. */
export const SHARED_STATE_POLL_MS = 100;

/**
 * The fake driver's "backend": sandbox records by id, every change published to the watch
 * hub and, with a state file, written through to disk so a restarted fake driver still
 * lists its sandboxes (the conformance kit's restart scenario depends on it). With a shared
 * state directory, several fake driver processes (one per gateway replica) share one
 * backend: each writes its changes there and publishes the others' as it sees them.
 */
export class FakeSandboxStore {
  readonly #sandboxes = new Map<string, DriverSandbox>();
  readonly #hub: WatchHub;
  readonly #stateFile: string | undefined;
  readonly #shared: SharedStateDir | undefined;
  /** Sandboxes with a write of ours to the shared directory in flight: a poll must not undo it. */
  readonly #writing = new Map<string, number>();
  #poller: NodeJS.Timeout | undefined;
  #isPolling = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(hub: WatchHub, stateFile: string | undefined, sharedStateDir?: string) {
    this.#hub = hub;
    this.#stateFile = stateFile;
    this.#shared = sharedStateDir === undefined ? undefined : new SharedStateDir(sharedStateDir);
  }

  /** Reads the state file, if there is one and it exists; on a shared directory, starts following it. */
  async load(): Promise<void> {
    if (this.#shared !== undefined) {
      await this.#shared.ensure();
      for (const sandbox of (await this.#shared.readAll()).values()) this.#sandboxes.set(sandbox.id, sandbox);
      this.#poller = setInterval(() => void this.#pollShared().catch(() => undefined), SHARED_STATE_POLL_MS);
      this.#poller.unref();
      return;
    }
    if (this.#stateFile === undefined) return;
    let text: string;
    try {
      text = await readFile(this.#stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const sandbox of decodeState(text, this.#stateFile)) this.#sandboxes.set(sandbox.id, sandbox);
  }

  has(sandboxId: string): boolean {
    return this.#sandboxes.has(sandboxId);
  }

  /** The record with this id, or with this name when the id is empty; NOT_FOUND otherwise. */
  find(sandboxId: string, sandboxName = ''): DriverSandbox {
    const found =
      sandboxId !== ''
        ? this.#sandboxes.get(sandboxId)
        : [...this.#sandboxes.values()].find((sandbox) => sandbox.name === sandboxName && sandboxName !== '');
    if (found === undefined) throw new SandboxNotFoundError(sandboxId || sandboxName);
    return found;
  }

  /** Copies, so callers (and the gRPC encoder) never see a record change under them. */
  list(): DriverSandbox[] {
    return structuredClone([...this.#sandboxes.values()]);
  }

  /** Stores (or replaces) a record, publishes it and persists; resolves once written. */
  put(sandbox: DriverSandbox): Promise<void> {
    this.#sandboxes.set(sandbox.id, sandbox);
    this.#hub.publishSandbox(sandbox);
    const shared = this.#shared;
    return shared === undefined ? this.#persist() : this.#writeShared(sandbox.id, () => shared.write(sandbox));
  }

  /** Removes a record; resolves false when there was none. */
  async remove(sandboxId: string): Promise<boolean> {
    if (!this.#sandboxes.delete(sandboxId)) return false;
    this.#hub.publishDeleted(sandboxId);
    const shared = this.#shared;
    await (shared === undefined ? this.#persist() : this.#writeShared(sandboxId, () => shared.remove(sandboxId)));
    return true;
  }

  /** Waits for every pending write and stops following a shared directory. */
  flush(): Promise<void> {
    clearInterval(this.#poller);
    return this.#saving;
  }

  async #writeShared(sandboxId: string, write: () => Promise<void>): Promise<void> {
    this.#writing.set(sandboxId, (this.#writing.get(sandboxId) ?? 0) + 1);
    const done = this.#saving.catch(() => undefined).then(write);
    this.#saving = done;
    try {
      await done;
    } finally {
      const left = (this.#writing.get(sandboxId) ?? 1) - 1;
      if (left === 0) this.#writing.delete(sandboxId);
      else this.#writing.set(sandboxId, left);
    }
  }

  /** Publishes what other processes changed in the shared directory since the last look. */
  async #pollShared(): Promise<void> {
    if (this.#isPolling) return;
    this.#isPolling = true;
    try {
      for (const [id, sandbox] of await this.#shared!.readChanges()) {
        if (this.#writing.has(id)) continue;
        if (sandbox === undefined) {
          if (this.#sandboxes.delete(id)) this.#hub.publishDeleted(id);
          continue;
        }
        const known = this.#sandboxes.get(id);
        if (known !== undefined && isSameSandbox(known, sandbox)) continue;
        this.#sandboxes.set(id, sandbox);
        this.#hub.publishSandbox(sandbox);
      }
    } finally {
      this.#isPolling = false;
    }
  }

  #persist(): Promise<void> {
    const stateFile = this.#stateFile;
    if (stateFile === undefined) return Promise.resolve();
    const text = encodeState([...this.#sandboxes.values()]);
    // Writes are chained so an older snapshot can never land after a newer one.
    this.#saving = this.#saving.catch(() => undefined).then(() => writeAtomically(stateFile, text));
    return this.#saving;
  }
}

function isSameSandbox(a: DriverSandbox, b: DriverSandbox): boolean {
  return JSON.stringify(DriverSandbox.toJSON(a)) === JSON.stringify(DriverSandbox.toJSON(b));
}

function encodeState(sandboxes: readonly DriverSandbox[]): string {
  return `${JSON.stringify({ version: STATE_FORMAT_VERSION, sandboxes: sandboxes.map((s) => DriverSandbox.toJSON(s)) }, null, 2)}\n`;
}

function decodeState(text: string, path: string): DriverSandbox[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw stateError(path, 'is not JSON', error);
  }
  const { version, sandboxes } = (document ?? {}) as { version?: unknown; sandboxes?: unknown };
  if (version !== STATE_FORMAT_VERSION || !Array.isArray(sandboxes)) {
    throw stateError(path, `is not a version ${STATE_FORMAT_VERSION} fake driver state file`);
  }
  return sandboxes.map((sandbox) => DriverSandbox.fromJSON(sandbox));
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

function stateError(path: string, reason: string, cause?: unknown): ShellgateError {
  return new ShellgateError(ErrorCode.FailedPrecondition, `fake driver state file ${path} ${reason}`, {
    hint: 'delete the file to start with no sandboxes, or point state_file elsewhere',
    details: { path },
    cause,
  });
}
