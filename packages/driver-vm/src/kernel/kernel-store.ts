import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Which guest kernel a VM boots: Debian's cloud kernel (no compile) or our small one. */
export const KernelChoice = {
  Debian: 'debian',
  Small: 'small',
} as const;
export type KernelChoice = (typeof KernelChoice)[keyof typeof KernelChoice];
export const KERNEL_CHOICES: readonly KernelChoice[] = Object.values(KernelChoice);

/** A kernel ready to boot, as `kernel.json` in its cache directory describes it. */
export interface PreparedKernel {
  /** `<choice>-<release>-<content hash>`; also the directory name. */
  readonly id: string;
  readonly choice: KernelChoice;
  /** `uname -r` of the guest, e.g. `6.1.0-57-cloud-amd64`. */
  readonly release: string;
  /** Module names in load order; empty for a kernel with everything built in. */
  readonly modules: readonly string[];
  /** Where it came from (a package file name, a source tree), for logs. */
  readonly source: string;
}

const KERNELS_DIR = 'kernels';
const DESCRIPTION_FILE = 'kernel.json';
const VMLINUX_FILE = 'vmlinux';
const MODULES_DIR = 'modules';

/**
 * Prepared kernels under `<cache_dir>/kernels/`: one directory per kernel, named by content
 * hash (`vmlinux`, `modules/<name>.ko`, `kernel.json`), plus `<choice>.json` naming the
 * kernel each choice boots. Directories appear whole (built beside, then renamed), so a
 * reader never sees half a kernel; kernels are world-readable (0755/0644) because QEMU,
 * running as an unprivileged uid, opens them by path.
 */
export class KernelStore {
  readonly rootDir: string;

  constructor(cacheDir: string) {
    this.rootDir = join(cacheDir, KERNELS_DIR);
  }

  vmlinuxPath(kernel: PreparedKernel): string {
    return join(this.rootDir, kernel.id, VMLINUX_FILE);
  }

  modulePath(kernel: PreparedKernel, name: string): string {
    return join(this.rootDir, kernel.id, MODULES_DIR, `${name}.ko`);
  }

  /** The kernel `choice` boots, or undefined when it was never prepared. */
  async find(choice: KernelChoice): Promise<PreparedKernel | undefined> {
    let id: string;
    try {
      id = (JSON.parse(await readFile(join(this.rootDir, `${choice}.json`), 'utf8')) as { id: string }).id;
    } catch {
      return undefined;
    }
    return this.#read(id);
  }

  async #read(id: string): Promise<PreparedKernel | undefined> {
    try {
      return JSON.parse(await readFile(join(this.rootDir, id, DESCRIPTION_FILE), 'utf8')) as PreparedKernel;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a kernel (unless one with its id is there) and makes it the one `kernel.choice`
   * boots. `modules` maps each name in `kernel.modules` to the module's bytes.
   */
  async add(kernel: PreparedKernel, vmlinux: Uint8Array, modules: ReadonlyMap<string, Uint8Array>): Promise<void> {
    if ((await this.#read(kernel.id)) === undefined) {
      const building = join(this.rootDir, `.${kernel.id}.${process.pid}.tmp`);
      await rm(building, { recursive: true, force: true });
      await mkdir(join(building, MODULES_DIR), { recursive: true, mode: 0o755 });
      await writeFile(join(building, VMLINUX_FILE), vmlinux, { mode: 0o644 });
      for (const name of kernel.modules) {
        const bytes = modules.get(name);
        if (bytes === undefined) throw new Error(`module ${name} of kernel ${kernel.id} was not given`);
        await writeFile(join(building, MODULES_DIR, `${name}.ko`), bytes, { mode: 0o644 });
      }
      await writeFile(join(building, DESCRIPTION_FILE), `${JSON.stringify(kernel, null, 2)}\n`, { mode: 0o644 });
      await rm(join(this.rootDir, kernel.id), { recursive: true, force: true });
      await rename(building, join(this.rootDir, kernel.id));
    }
    const pointer = join(this.rootDir, `.${kernel.choice}.${process.pid}.tmp`);
    await writeFile(pointer, `${JSON.stringify({ id: kernel.id })}\n`, { mode: 0o644 });
    await rename(pointer, join(this.rootDir, `${kernel.choice}.json`));
  }
}
