import { rm, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { toStorageError, toSupervisorArgs, toSupervisorTlsPlacements } from '@shellgate/driver-sdk';
import type { Logger, SupervisorRuntime, SupervisorTlsFiles } from '@shellgate/driver-sdk';

import type { GuestKernels } from '../assets/guest-kernels.js';
import type { GuestLaunch, GuestTlsFile } from '../guest/config-disk.js';
import { buildConfigDisk } from '../guest/config-disk.js';
import type { BaseDiskCache } from '../image/base-disk-cache.js';
import type { AcceleratorVerdict } from '../qemu/accelerator-probe.js';
import type { QemuDisk } from '../qemu/qemu-command.js';
import type { QmpEvent } from '../qemu/qmp-client.js';
import type { VmDriverSettings } from '../settings.js';
import type { SandboxStateStore, StoredLaunch, VmSandboxRecord } from '../state.js';
import { bootVm } from '../vm/boot-vm.js';
import type { VmHandle } from '../vm/running-vm.js';
import type { InheritedFile } from '../vm/spawn-qemu.js';
import { toVmIdentity } from './vm-identity.js';

/** The sandbox's writable layer, beside its token and state file. */
export const STATE_DISK_FILE = 'disk.ext4';
/** QEMU's own output for the last boot. */
export const QEMU_LOG_FILE = 'qemu.log';
const CONFIG_DISK_FILE = 'config.disk';
const QMP_START_TIMEOUT_MS = 15_000;

/** Extra disk `index`'s file in the sandbox directory. */
export function extraDiskFile(index: number): string {
  return `disk-${index}.ext4`;
}

export interface VmBooterOptions {
  readonly settings: VmDriverSettings;
  readonly kernels: GuestKernels;
  readonly baseDisks: BaseDiskCache;
  readonly store: SandboxStateStore;
  readonly accelerator: () => Promise<AcceleratorVerdict>;
  /** The runtime bundle's disk; undefined without a supervisor. */
  readonly runtimeDisk: () => Promise<string | undefined>;
  /** QEMU's environment (PATH). */
  readonly qemuEnv: Readonly<Record<string, string>>;
  readonly onQmpEvent: (sandboxId: string, event: QmpEvent) => void;
  readonly logger: Logger;
}

/** argv of the entrypoint: the supervisor with the canonical command, or the command itself. */
function toGuestArgv(launch: StoredLaunch, supervisor: SupervisorRuntime | undefined, isTokenFileKept: boolean): string[] {
  if (supervisor === undefined) return [...launch.command];
  return [...supervisor.entrypoint, ...toSupervisorArgs(launch.command, { tty: launch.tty, user: launch.user, isTokenFileKept })];
}

/** What the driver needs of a booter (a fake in tests). */
export interface SandboxBooter {
  /** The instance id (also the run-dir name) of a sandbox's VM. */
  instanceIdOf(sandboxId: string): string;
  boot(record: VmSandboxRecord, launch: StoredLaunch, signal: AbortSignal, report: (message: string) => void): Promise<VmHandle>;
}

/**
 * Boots a sandbox's VM from its state record: the kernel and initramfs, the image's base
 * disk, the runtime disk, the sandbox's own disks and a fresh config disk carrying the token
 * and `launch.sh`; the QEMU process is then recorded in the state file, so a restarted
 * driver finds it again.
 */
export class VmBooter implements SandboxBooter {
  readonly #options: VmBooterOptions;

  constructor(options: VmBooterOptions) {
    this.#options = options;
  }

  /** The instance id and run dir of a sandbox's VM. */
  instanceIdOf(sandboxId: string): string {
    return toVmIdentity(this.#options.settings.stateDir, sandboxId, undefined).instanceId;
  }

  async boot(record: VmSandboxRecord, launch: StoredLaunch, signal: AbortSignal, report: (message: string) => void): Promise<VmHandle> {
    const { settings, store, kernels } = this.#options;
    const sandboxDir = store.sandboxDir(record.id);
    const { instanceId, uid } = toVmIdentity(settings.stateDir, record.id, settings.qemuUidBase);
    const kernel = await kernels.ensure(launch.kernel, report);
    const base = await this.#options.baseDisks.ensure(launch.imageId, signal, report);
    const runtimeDisk = await this.#options.runtimeDisk();
    const verdict = await this.#options.accelerator();
    const configPath = join(sandboxDir, CONFIG_DISK_FILE);
    // The SDK's delivery before every start; the guest empties only its own copy, never this file.
    const token = await readFile(await store.deliverToken(record.id), 'utf8');
    const tlsFiles = await readGuestTlsFiles(settings.supervisorTls);
    try {
      await writeFile(configPath, buildConfigDisk(this.#toGuestLaunch(launch), token, tlsFiles), { mode: 0o600 });
    } catch (error) {
      throw toStorageError(error, configPath, `write the config disk of sandbox ${record.id}`);
    }
    const disks: { disk: QemuDisk; path: string }[] = [
      { disk: { serial: 'sg-base', isReadOnly: true }, path: base.path },
      ...(runtimeDisk === undefined ? [] : [{ disk: { serial: 'sg-runtime', isReadOnly: true }, path: runtimeDisk }]),
      { disk: { serial: 'sg-state', isReadOnly: false }, path: join(sandboxDir, STATE_DISK_FILE) },
      { disk: { serial: 'sg-config', isReadOnly: false }, path: configPath },
      ...launch.disks.map((extra, index) => ({ disk: { serial: extra.serial, isReadOnly: false }, path: join(sandboxDir, extraDiskFile(index)) })),
    ];
    const files: InheritedFile[] = [
      { path: kernel.vmlinuxPath, isWritable: false },
      { path: kernel.initramfsPath, isWritable: false },
      ...disks.flatMap(({ disk, path }) => (disk.isReadOnly ? [{ path, isWritable: false }] : [{ path, isWritable: true }, { path, isWritable: false }])),
    ];
    const runDir = join(settings.runDir, instanceId);
    report(`booting the VM (${verdict.accelerator}, ${launch.vcpus} vCPU, ${launch.memoryMib} MiB)`);
    try {
      const vm = await bootVm({
        sandboxId: record.id,
        boot: {
          name: record.id,
          accelerator: verdict.accelerator,
          vcpus: launch.vcpus,
          memoryMib: launch.memoryMib,
          runDir,
          disks: disks.map(({ disk }) => disk),
          network: {
            isOutboundAllowed: settings.isOutboundAllowed,
            gatewayPort: settings.gatewayPort,
            callbackAddress: settings.callbackAddress,
            connector: [settings.busyboxPath, 'nc', settings.callbackAddress, String(settings.gatewayPort)],
          },
        },
        files,
        qemuBinary: settings.qemuBinary,
        logPath: join(sandboxDir, QEMU_LOG_FILE),
        ...(uid === undefined ? {} : { uid, gid: verdict.kvmGid ?? uid }),
        env: this.#options.qemuEnv,
        startTimeoutMs: QMP_START_TIMEOUT_MS,
        onEvent: (event) => this.#options.onQmpEvent(record.id, event),
      });
      await store.writeState({ ...record, process: { pid: vm.identity.pid, startTicks: vm.identity.startTicks, runDir, bootedAtMs: Date.now() } });
      return vm;
    } finally {
      // QEMU holds it open; the token now lives only in the guest (which wipes the disk) and the token file.
      await rm(configPath, { force: true });
    }
  }

  #toGuestLaunch(launch: StoredLaunch): GuestLaunch {
    const supervisor = this.#options.settings.supervisorRuntime;
    return {
      hostname: launch.hostname,
      workdir: launch.workdir,
      isOutboundAllowed: this.#options.settings.isOutboundAllowed,
      disks: launch.disks.map((disk) => ({ serial: disk.serial, target: disk.target })),
      env: launch.env,
      argv: toGuestArgv(launch, supervisor, this.#options.settings.isTokenExposedToAgent),
    };
  }
}

/** The `supervisor_tls_*` files as the guest names them, read anew for every boot. */
async function readGuestTlsFiles(tls: SupervisorTlsFiles | undefined): Promise<GuestTlsFile[]> {
  return Promise.all(
    toSupervisorTlsPlacements(tls).map(async ({ source, target }) => {
      const name = basename(target);
      try {
        return { name, data: await readFile(source) };
      } catch (error) {
        throw toStorageError(error, source, `read ${name} for the guest's supervisor (supervisor_tls_*)`);
      }
    }),
  );
}
