import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { BootVmOptions } from '../vm/boot-vm.js';
import { bootVm } from '../vm/boot-vm.js';
import { Accelerator } from './qemu-command.js';

/** Which accelerator VMs use, and why. */
export interface AcceleratorVerdict {
  readonly accelerator: Accelerator;
  readonly reason: string;
  /** Under KVM, the group QEMU runs as so its unprivileged uid may open the device. */
  readonly kvmGid?: number;
}

/** The console line `/init` prints in probe mode (guest/init.sh). */
const PROBE_OK = 'shellgate-init: probe ok';
/** A KVM boot reaches /init in about a second; PVM-style hosts crash or crawl far beyond this. */
export const PROBE_TIMEOUT_MS = 15_000;
const PROBE_MEMORY_MIB = 128;

export interface ProbeKvmOptions {
  readonly kvmDevice: string;
  /** The uid QEMU runs as; undefined: the driver's own (then plain access rights decide). */
  readonly uid: number | undefined;
  /** Everything a probe boot needs but the boot itself: binary, files, ids, env, log path. */
  readonly bootOptions: Omit<BootVmOptions, 'boot' | 'sandboxId' | 'startTimeoutMs'>;
  readonly runDir: string;
  readonly timeoutMs?: number;
}

/**
 * Whether QEMU, as `uid`, can open the device: as the driver's own user, plain access
 * rights; as an unprivileged uid, read-write for others, or for the device's group, which
 * QEMU then runs as (the usual `kvm` group, mode 0660).
 */
async function checkDeviceAccess(device: string, uid: number | undefined): Promise<{ gid: number | undefined } | { reason: string }> {
  try {
    if (uid === undefined) {
      await access(device, constants.R_OK | constants.W_OK);
      return { gid: undefined };
    }
    const info = await stat(device);
    if ((info.mode & 0o006) === 0o006) return { gid: undefined };
    if ((info.mode & 0o060) === 0o060) return { gid: info.gid };
    const mode = (info.mode & 0o777).toString(8);
    return { reason: `${device} (mode ${mode}, uid ${info.uid}, gid ${info.gid}) cannot be opened by QEMU's unprivileged uid; give it a group with read-write access (e.g. kvm, mode 0660) to try KVM` };
  } catch (error) {
    return { reason: `${device} is not usable (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

/**
 * Whether KVM really works here: `/dev/kvm` must open, and a tiny boot of our kernel and
 * initramfs (no disks, no network) must reach `/init` under `-accel kvm` in time. A device
 * can exist and still be useless (nested PVM hosts abort or crawl), so only a boot tells.
 */
export async function probeKvm(options: ProbeKvmOptions): Promise<AcceleratorVerdict> {
  const device = await checkDeviceAccess(options.kvmDevice, options.uid);
  if ('reason' in device) return { accelerator: Accelerator.Tcg, reason: device.reason };
  try {
    return await bootProbe(options, device.gid);
  } finally {
    await rm(options.runDir, { recursive: true, force: true });
  }
}

async function bootProbe(options: ProbeKvmOptions, kvmGid: number | undefined): Promise<AcceleratorVerdict> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  let vm;
  try {
    vm = await bootVm({
      ...options.bootOptions,
      ...(kvmGid === undefined ? {} : { gid: kvmGid }),
      sandboxId: 'kvm-probe',
      startTimeoutMs: timeoutMs,
      boot: { name: 'shellgate-kvm-probe', accelerator: Accelerator.Kvm, vcpus: 1, memoryMib: PROBE_MEMORY_MIB, runDir: options.runDir, disks: [], kernelArgs: ['shellgate.probe=1'] },
    });
  } catch (error) {
    return { accelerator: Accelerator.Tcg, reason: `a KVM probe boot failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const outcome = await Promise.race([vm.exited, timer]);
  if (outcome === 'timeout') {
    await vm.kill();
    return { accelerator: Accelerator.Tcg, reason: `a KVM probe boot did not reach /init within ${timeoutMs} ms` };
  }
  if (outcome.consoleTail.some((line) => line.includes(PROBE_OK))) return { accelerator: Accelerator.Kvm, reason: 'a KVM probe boot reached /init', ...(kvmGid === undefined ? {} : { kvmGid }) };
  return { accelerator: Accelerator.Tcg, reason: `a KVM probe boot ended without reaching /init: ${outcome.consoleTail.slice(-2).join(' | ') || 'no console output'}` };
}

/**
 * A probe verdict remembered in `<cache_dir>/accelerator.json` under a key of what it
 * depends on (host kernel, guest kernel, QEMU binary), so the probe boot runs once per
 * machine setup rather than at every driver start.
 */
export class AcceleratorVerdictCache {
  readonly #path: string;

  constructor(cacheDir: string) {
    this.#path = join(cacheDir, 'accelerator.json');
  }

  async read(key: string): Promise<AcceleratorVerdict | undefined> {
    try {
      const stored = JSON.parse(await readFile(this.#path, 'utf8')) as { key?: string; verdict?: AcceleratorVerdict };
      return stored.key === key ? stored.verdict : undefined;
    } catch {
      return undefined;
    }
  }

  async write(key: string, verdict: AcceleratorVerdict): Promise<void> {
    await mkdir(join(this.#path, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ key, verdict })}\n`, { mode: 0o600 });
    await rename(temporary, this.#path);
  }
}
