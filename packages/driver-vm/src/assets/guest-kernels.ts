import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { FailedPreconditionError } from '@shellgate/driver-sdk';

import type { RunHostCommand } from '../host/run-host-command.js';
import { GUEST_INIT_PATH, buildInitramfs, storeInitramfs } from '../initramfs/build-initramfs.js';
import { isStaticElf } from '../initramfs/static-elf.js';
import type { ReportProgress } from '../kernel/debian-kernel.js';
import { downloadKernelPackage, unpackDebianKernel } from '../kernel/debian-kernel.js';
import type { KernelChoice, PreparedKernel } from '../kernel/kernel-store.js';
import { KernelStore } from '../kernel/kernel-store.js';

/** What a VM boots: a kernel and the initramfs made for it. */
export interface BootableKernel {
  readonly kernel: PreparedKernel;
  readonly vmlinuxPath: string;
  readonly initramfsPath: string;
}

export interface GuestKernelsOptions {
  readonly cacheDir: string;
  readonly busyboxPath: string;
  /** `kernel_package`, downloaded with apt-get when the debian kernel is missing. */
  readonly kernelPackage: string;
  /** `kernel_deb`: a package file to unpack instead. */
  readonly kernelDeb: string | undefined;
  readonly run: RunHostCommand;
  readonly isRoot: boolean;
}

/**
 * The guest kernels under `<cache_dir>`: finds a prepared kernel, prepares the Debian one on
 * first use (download + unpack, with progress, once even when many creates ask at once),
 * and builds each kernel's initramfs once per process (our `/init` may have changed with
 * the package). The small kernel is compiled only by `prepare --kernel small`.
 */
export class GuestKernels {
  readonly store: KernelStore;
  readonly #options: GuestKernelsOptions;
  readonly #preparing = new Map<KernelChoice, Promise<PreparedKernel>>();
  readonly #initramfs = new Map<string, Promise<string>>();

  constructor(options: GuestKernelsOptions) {
    this.#options = options;
    this.store = new KernelStore(options.cacheDir);
  }

  /**
   * The kernel `choice` boots, prepared now if needed.
   * @throws FailedPreconditionError for the small kernel when it was never built.
   */
  async ensure(choice: KernelChoice, report: ReportProgress): Promise<BootableKernel> {
    const kernel = (await this.store.find(choice)) ?? (await this.#prepareOnce(choice, report));
    return { kernel, vmlinuxPath: this.store.vmlinuxPath(kernel), initramfsPath: await this.#ensureInitramfs(kernel) };
  }

  /** Downloads (or takes `kernel_deb`) and unpacks the Debian kernel, replacing the current one. */
  async prepareDebian(report: ReportProgress): Promise<PreparedKernel> {
    const { cacheDir, run, isRoot } = this.#options;
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(cacheDir, '.download-'));
    try {
      const deb = this.#options.kernelDeb ?? (await downloadKernelPackage(this.#options.kernelPackage, work, { run, isRoot, report }));
      return await unpackDebianKernel(deb, { store: this.store, workDir: cacheDir, run, report });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  #prepareOnce(choice: KernelChoice, report: ReportProgress): Promise<PreparedKernel> {
    if (choice !== 'debian') {
      return Promise.reject(
        new FailedPreconditionError(`the ${choice} guest kernel is not prepared in ${this.#options.cacheDir}`, {
          hint: `run \`shellgate-driver-vm prepare --kernel ${choice}\` (it compiles a kernel: minutes), or use kernel = "debian"`,
        }),
      );
    }
    let preparing = this.#preparing.get(choice);
    if (preparing === undefined) {
      preparing = this.prepareDebian(report).finally(() => this.#preparing.delete(choice));
      this.#preparing.set(choice, preparing);
    }
    return preparing;
  }

  #ensureInitramfs(kernel: PreparedKernel): Promise<string> {
    let path = this.#initramfs.get(kernel.id);
    if (path === undefined) {
      path = this.#buildInitramfs(kernel);
      this.#initramfs.set(kernel.id, path);
      path.catch(() => this.#initramfs.delete(kernel.id));
    }
    return path;
  }

  async #buildInitramfs(kernel: PreparedKernel): Promise<string> {
    const { busyboxPath, run, cacheDir } = this.#options;
    const busybox = await readFile(busyboxPath);
    if (!isStaticElf(busybox)) {
      throw new FailedPreconditionError(`${busyboxPath} is not a statically linked busybox, so it cannot run in the initramfs`, {
        hint: 'install Debian\'s busybox-static (it provides /bin/busybox) or point busybox at a static build',
      });
    }
    const applets = (await run(busyboxPath, ['--list'])).split('\n').filter((name) => /^[a-z0-9_.[-]+$/.test(name));
    const archive = await buildInitramfs({ kernel, store: this.store, busybox, applets, initScript: await readFile(GUEST_INIT_PATH, 'utf8') });
    return storeInitramfs(join(cacheDir, 'initramfs'), kernel.id, archive);
  }
}
