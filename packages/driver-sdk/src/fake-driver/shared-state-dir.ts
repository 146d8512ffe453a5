import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverSandbox } from '../gen/compute_driver.js';

const SUFFIX = '.sandbox.json';
/**
 * One line per change, `<writer> <sandbox id>`, appended after the change: readers re-read
 * only what others changed (a process knows its own changes already).
 */
const JOURNAL = 'changes.log';

/**
 * A directory several fake driver processes share as their one backend, the way replicas of
 * a gateway share a cluster: one JSON file per sandbox, each written atomically (rename), so
 * a reader sees a whole record or none. Concurrent writers of one sandbox: the last wins.
 * Every change is also appended to a journal of ids, so a reader follows the others by
 * reading what the journal gained, not every file.
 */
export class SharedStateDir {
  private journalOffset = 0;
  private partialLine = '';
  /** This process's name in the journal. */
  private readonly writer = randomBytes(6).toString('hex');

  constructor(readonly path: string) {}

  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
  }

  /** Every sandbox in the directory; later {@link readChanges} calls report what changed since. */
  async readAll(): Promise<Map<string, DriverSandbox>> {
    this.journalOffset = await this.journalSize();
    const out = new Map<string, DriverSandbox>();
    for (const name of await readdir(this.path)) {
      if (!name.endsWith(SUFFIX)) continue;
      const sandbox = await this.readFileOf(join(this.path, name));
      if (sandbox !== undefined) out.set(sandbox.id, sandbox);
    }
    return out;
  }

  /** The sandboxes other processes changed since the last read, each with its current record (undefined: removed). */
  async readChanges(): Promise<Map<string, DriverSandbox | undefined>> {
    const size = await this.journalSize();
    const changes = new Map<string, DriverSandbox | undefined>();
    if (size <= this.journalOffset) return changes;
    const handle = await open(join(this.path, JOURNAL), 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - this.journalOffset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.journalOffset);
      this.journalOffset += bytesRead;
      text = this.partialLine + buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
    const lines = text.split('\n');
    this.partialLine = lines.pop() ?? '';
    const changedByOthers = new Set<string>();
    for (const line of lines) {
      const space = line.indexOf(' ');
      if (space > 0 && line.slice(0, space) !== this.writer) changedByOthers.add(line.slice(space + 1));
    }
    for (const id of changedByOthers) changes.set(id, await this.readFileOf(this.fileOf(id)));
    return changes;
  }

  async write(sandbox: DriverSandbox): Promise<void> {
    const file = this.fileOf(sandbox.id);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, encodeSandbox(sandbox), { mode: 0o600 });
    await rename(temporary, file);
    await this.journal(sandbox.id);
  }

  async remove(sandboxId: string): Promise<void> {
    await unlink(this.fileOf(sandboxId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await this.journal(sandboxId);
  }

  private async journal(sandboxId: string): Promise<void> {
    // One short O_APPEND write per change: lines of concurrent writers never interleave.
    await appendFile(join(this.path, JOURNAL), `${this.writer} ${sandboxId}\n`, { mode: 0o600 });
  }

  private async journalSize(): Promise<number> {
    try {
      return (await stat(join(this.path, JOURNAL))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  private async readFileOf(file: string): Promise<DriverSandbox | undefined> {
    try {
      return DriverSandbox.fromJSON(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      // Removed by another process meanwhile.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private fileOf(sandboxId: string): string {
    return join(this.path, `${sandboxId.replace(/[^A-Za-z0-9_-]/g, '_')}${SUFFIX}`);
  }
}

function encodeSandbox(sandbox: DriverSandbox): string {
  return JSON.stringify(DriverSandbox.toJSON(sandbox));
}
