import { release } from 'node:os';
import { join } from 'node:path';

import { AcceleratorSetting } from '../config.js';
import type { AcceleratorVerdict } from '../qemu/accelerator-probe.js';
import { AcceleratorVerdictCache, probeKvm } from '../qemu/accelerator-probe.js';
import { Accelerator } from '../qemu/qemu-command.js';
import type { KernelChoice } from '../kernel/kernel-store.js';
import type { BootableKernel } from './guest-kernels.js';

export interface AcceleratorChoiceOptions {
  readonly setting: AcceleratorSetting;
  readonly cacheDir: string;
  readonly runDir: string;
  readonly kvmDevice: string;
  readonly qemuBinary: string;
  readonly qemuEnv: Readonly<Record<string, string>>;
  /** The uid/gid the probe's QEMU runs as (the same drop as every VM). */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly kernelChoice: KernelChoice;
  readonly ensureKernel: (choice: KernelChoice) => Promise<BootableKernel>;
}

/**
 * The accelerator every VM of this driver uses, decided once per process: forced by config,
 * or (auto) a probe boot under KVM whose verdict is cached on disk per host kernel, guest
 * kernel and QEMU binary.
 */
export class AcceleratorChoice {
  readonly #options: AcceleratorChoiceOptions;
  #verdict: Promise<AcceleratorVerdict> | undefined;
  #decided: AcceleratorVerdict | undefined;

  constructor(options: AcceleratorChoiceOptions) {
    this.#options = options;
  }

  /** The verdict, probing on the first call when needed. */
  get(): Promise<AcceleratorVerdict> {
    if (this.#verdict === undefined) {
      const attempt = this.#decide();
      this.#verdict = attempt;
      attempt.then(
        (verdict) => (this.#decided = verdict),
        () => (this.#verdict = undefined),
      );
    }
    return this.#verdict;
  }

  /** The verdict if it is decided already; never starts a probe (or a kernel download). */
  peek(): AcceleratorVerdict | undefined {
    return this.#decided;
  }

  async #decide(): Promise<AcceleratorVerdict> {
    const { setting } = this.#options;
    if (setting === AcceleratorSetting.Tcg) return { accelerator: Accelerator.Tcg, reason: 'accelerator = "tcg" in the driver config' };
    if (setting === AcceleratorSetting.Kvm) return { accelerator: Accelerator.Kvm, reason: 'accelerator = "kvm" in the driver config' };
    const kernel = await this.#options.ensureKernel(this.#options.kernelChoice);
    const cache = new AcceleratorVerdictCache(this.#options.cacheDir);
    const key = [release(), kernel.kernel.id, this.#options.qemuBinary, this.#options.kvmDevice, this.#options.uid === undefined ? 'own-uid' : 'vm-uids'].join('|');
    const cached = await cache.read(key);
    if (cached !== undefined) return { ...cached, reason: `${cached.reason} (cached verdict)` };
    const verdict = await probeKvm({
      kvmDevice: this.#options.kvmDevice,
      uid: this.#options.uid,
      runDir: join(this.#options.runDir, 'kvm-probe'),
      bootOptions: {
        files: [
          { path: kernel.vmlinuxPath, isWritable: false },
          { path: kernel.initramfsPath, isWritable: false },
        ],
        qemuBinary: this.#options.qemuBinary,
        logPath: join(this.#options.cacheDir, 'kvm-probe.log'),
        env: this.#options.qemuEnv,
        ...(this.#options.uid === undefined ? {} : { uid: this.#options.uid }),
        ...(this.#options.gid === undefined ? {} : { gid: this.#options.gid }),
      },
    });
    await cache.write(key, verdict);
    return verdict;
  }
}
