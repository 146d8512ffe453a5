import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverSandbox } from '../gen/compute_driver.js';

const SUFFIX = '.sandbox.json';

/**
 * A directory several fake driver processes share as their one backend, the way replicas of
 * a gateway share a cluster: one JSON file per sandbox, each written atomically (rename), so
 * a reader sees a whole record or none. Concurrent writers of one sandbox: the last wins.
 */
export class SharedStateDir {
  constructor(readonly path: string) {}

  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
  }

  /** Every sandbox in the directory, as the JSON text it was stored with (for cheap comparison). */
  async readAll(): Promise<Map<string, { text: string; sandbox: DriverSandbox }>> {
    const out = new Map<string, { text: string; sandbox: DriverSandbox }>();
    for (const name of await readdir(this.path)) {
      if (!name.endsWith(SUFFIX)) continue;
      let text: string;
      try {
        text = await readFile(join(this.path, name), 'utf8');
      } catch (error) {
        // Removed by another process between readdir and readFile.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const sandbox = DriverSandbox.fromJSON(JSON.parse(text));
      out.set(sandbox.id, { text, sandbox });
    }
    return out;
  }

  async write(sandbox: DriverSandbox): Promise<void> {
    const file = this.fileOf(sandbox.id);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, encodeSandbox(sandbox), { mode: 0o600 });
    await rename(temporary, file);
  }

  async remove(sandboxId: string): Promise<void> {
    await unlink(this.fileOf(sandboxId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private fileOf(sandboxId: string): string {
    return join(this.path, `${sandboxId.replace(/[^A-Za-z0-9_-]/g, '_')}${SUFFIX}`);
  }
}

/** The text a sandbox is stored as; equal texts mean an unchanged sandbox. */
export function encodeSandbox(sandbox: DriverSandbox): string {
  return JSON.stringify(DriverSandbox.toJSON(sandbox));
}
