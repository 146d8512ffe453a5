import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { InvalidArgumentError, currentDriverPlatform, prepareDriverRuntime, toCallbackEndpoint, toDeliveredSandboxTlsFiles, toSupervisorTls } from '@shellgate/driver-sdk';
import type { DriverPlatform, Logger, SupervisorRuntime } from '@shellgate/driver-sdk';

import { AcceleratorChoice } from './assets/accelerator-choice.js';
import { GuestKernels } from './assets/guest-kernels.js';
import type { AcceleratorSetting, VmDriverConfig } from './config.js';
import { ensureRuntimeDisk } from './disks/runtime-disk.js';
import type { RunHostCommand } from './host/run-host-command.js';
import { runHostCommand } from './host/run-host-command.js';
import { BaseDiskCache } from './image/base-disk-cache.js';
import { createImageSources } from './image/create-image-sources.js';
import type { ImageEngine } from './image/image-source.js';
import type { KernelChoice } from './kernel/kernel-store.js';
import { VmBooter } from './sandbox/vm-booter.js';
import type { VmDriverSettings } from './settings.js';
import { createSandboxStateStore } from './state.js';
import { VmDriver } from './vm-driver.js';
import { VmRecovery } from './vm/vm-recovery.js';

/** The platform facts `createVmDriver` reads; real values by default. */
export interface VmDriverPlatform extends DriverPlatform {
  readonly run?: RunHostCommand;
}

const KVM_DEVICE = '/dev/kvm';

/** Where QEMU's sockets go: under /run as root, else the user's runtime dir, else /tmp. */
export function defaultRunDir(platform: Pick<VmDriverPlatform, 'env' | 'uid'>): string {
  if (platform.uid === 0) return '/run/shellgate-vm';
  const runtimeDir = platform.env['XDG_RUNTIME_DIR'];
  if (runtimeDir !== undefined && runtimeDir.startsWith('/')) return join(runtimeDir, 'shellgate', 'driver-vm');
  return `/tmp/shellgate-driver-vm-${platform.uid}`;
}

/** Turns resolved config keys, the state dir and the loaded bundle into the driver's settings. */
export function toVmDriverSettings(config: VmDriverConfig, resolved: { stateDir: string; runDir: string; uid: number }, supervisorRuntime: SupervisorRuntime | undefined): VmDriverSettings {
  const gatewayScheme = config.gateway_scheme === 'https' ? 'https' : 'http';
  return {
    defaultImage: config.default_image,
    imageEngine: config.image_engine as ImageEngine,
    imageArchiveDir: config.image_archive_dir === '' ? undefined : config.image_archive_dir,
    stateDir: resolved.stateDir,
    cacheDir: config.cache_dir ?? join(resolved.stateDir, 'cache'),
    runDir: resolved.runDir,
    kernel: config.kernel as KernelChoice,
    kernelPackage: config.kernel_package,
    kernelDeb: config.kernel_deb === '' ? undefined : config.kernel_deb,
    accelerator: config.accelerator as AcceleratorSetting,
    qemuBinary: config.qemu_binary,
    busyboxPath: config.busybox,
    defaultVcpus: config.default_vcpus,
    maxVcpus: config.max_vcpus,
    defaultMemoryMib: config.default_memory_mib,
    maxMemoryMib: config.max_memory_mib,
    diskSizeMib: config.disk_size_mib,
    maxDiskSizeMib: config.max_disk_size_mib,
    isOutboundAllowed: config.allow_outbound,
    callbackAddress: config.callback_address,
    stopTimeoutSeconds: config.stop_timeout_seconds,
    // Only root can hand QEMU another uid.
    qemuUidBase: resolved.uid === 0 && config.qemu_uid_base > 0 ? config.qemu_uid_base : undefined,
    gatewayPort: config.gateway_port,
    gatewayScheme,
    supervisorTls: toSupervisorTls(config, gatewayScheme),
    gatewayId: config.gateway_id,
    isTokenExposedToAgent: config.expose_token_to_agent,
    supervisorRuntime,
  };
}

/**
 * The run dir is traversable (0711) so each VM's uid reaches its own 0700 directory, and
 * nothing else: names are not listable. Every directory above it must be traversable too.
 * @throws InvalidArgumentError naming the directory the VM uids cannot pass.
 */
async function prepareRunDir(runDir: string, hasVmUids: boolean): Promise<void> {
  await mkdir(runDir, { recursive: true, mode: 0o711 });
  await chmod(runDir, 0o711);
  if (!hasVmUids) return;
  for (let dir = dirname(runDir); ; dir = dirname(dir)) {
    const mode = (await stat(dir)).mode & 0o777;
    if ((mode & 0o001) === 0) {
      throw new InvalidArgumentError(`run_dir ${JSON.stringify(runDir)} is inside ${dir} (mode ${mode.toString(8)}), which QEMU cannot pass when it runs as its own uid`, {
        hint: 'set run_dir to a directory whose parents are all world-traversable, e.g. /run/shellgate-vm',
      });
    }
    if (dir === dirname(dir)) return;
  }
}

/** Everything the VM driver is made of, wired from its settings (shared with `prepare`). */
export interface VmDriverParts {
  readonly settings: VmDriverSettings;
  readonly kernels: GuestKernels;
  readonly accelerator: AcceleratorChoice;
  readonly run: RunHostCommand;
  readonly qemuEnv: Readonly<Record<string, string>>;
  readonly runtimeDisk: () => Promise<string | undefined>;
  readonly isRoot: boolean;
}

/** Loads the bundle, resolves the directories and builds the parts every command needs. */
export async function assembleVmDriver(config: VmDriverConfig, logger: Logger, platform: VmDriverPlatform): Promise<VmDriverParts> {
  const { stateDir, supervisorRuntime } = await prepareDriverRuntime({ driverDirName: 'driver-vm', config, platform, logger, moduleUrl: import.meta.url });
  const settings = toVmDriverSettings(config, { stateDir, runDir: config.run_dir ?? defaultRunDir(platform), uid: platform.uid }, supervisorRuntime);
  await prepareRunDir(settings.runDir, settings.qemuUidBase !== undefined);
  const run = platform.run ?? runHostCommand;
  const qemuEnv = { PATH: platform.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
  const kernels = new GuestKernels({ cacheDir: settings.cacheDir, busyboxPath: settings.busyboxPath, kernelPackage: settings.kernelPackage, kernelDeb: settings.kernelDeb, run, isRoot: platform.uid === 0 });
  const probeUid = settings.qemuUidBase;
  const accelerator = new AcceleratorChoice({
    setting: settings.accelerator,
    cacheDir: settings.cacheDir,
    runDir: settings.runDir,
    kvmDevice: KVM_DEVICE,
    qemuBinary: settings.qemuBinary,
    qemuEnv,
    uid: probeUid,
    gid: probeUid,
    kernelChoice: settings.kernel,
    ensureKernel: (choice) => kernels.ensure(choice, (message) => logger.info('preparing the guest kernel', { progress: message })),
  });
  let runtimeDisk: Promise<string | undefined> | undefined;
  const ensureRuntime = (): Promise<string | undefined> => {
    if (supervisorRuntime === undefined) return Promise.resolve(undefined);
    runtimeDisk ??= ensureRuntimeDisk(supervisorRuntime.hostDir, join(settings.cacheDir, 'runtime'), run);
    runtimeDisk.catch(() => (runtimeDisk = undefined));
    return runtimeDisk;
  };
  return { settings, kernels, accelerator, run, qemuEnv, runtimeDisk: ensureRuntime, isRoot: platform.uid === 0 };
}

/**
 * Builds and starts the VM driver from its config: the supervisor bundle
 * (`supervisor_runtime_dir`, else one built once from the installed @shellgate/supervisor),
 * the state, cache and run directories, the guest kernel (prepared on first use if
 * `prepare` never ran), the accelerator verdict, and the VMs a previous driver process left
 * running.
 * @throws InvalidArgumentError when there is no usable supervisor bundle and injection is on (the binary exits 2).
 */
export async function createVmDriver(
  config: VmDriverConfig,
  logger: Logger,
  platform: VmDriverPlatform = currentDriverPlatform(),
): Promise<VmDriver> {
  const parts = await assembleVmDriver(config, logger, platform);
  const { settings, kernels, run, qemuEnv } = parts;
  const store = createSandboxStateStore(settings.stateDir);
  const baseDisks = new BaseDiskCache({ dir: join(settings.cacheDir, 'images'), sourceFor: createImageSources(settings.imageEngine, settings.imageArchiveDir, run, platform.env), run });
  // The booter forwards QMP events to the driver's process table, which exists once the driver does.
  const forwardQmp: { to?: VmDriver } = {};
  const booter = new VmBooter({
    settings,
    kernels,
    baseDisks,
    store,
    accelerator: async () => {
      const isNew = parts.accelerator.peek() === undefined;
      const verdict = await parts.accelerator.get();
      if (isNew) logger.info('vm accelerator', { accelerator: verdict.accelerator, reason: verdict.reason });
      return verdict;
    },
    runtimeDisk: parts.runtimeDisk,
    qemuEnv,
    onQmpEvent: (sandboxId, event) => forwardQmp.to?.table.publishQmpEvent(sandboxId, event),
    logger,
  });
  const driver = new VmDriver({
    settings,
    store,
    booter,
    provisioning: {
      baseDisks,
      run,
      endpoint: toCallbackEndpoint(settings.gatewayScheme, settings.gatewayPort),
      tls: toDeliveredSandboxTlsFiles(settings.supervisorTls),
    },
    accelerator: () => parts.accelerator.peek(),
    recovery: new VmRecovery({ store, logger }),
    logger,
  });
  forwardQmp.to = driver;
  logger.info('vm driver configured', {
    stateDir: settings.stateDir,
    cacheDir: settings.cacheDir,
    runDir: settings.runDir,
    kernel: settings.kernel,
    accelerator: settings.accelerator,
    qemuUids: settings.qemuUidBase === undefined ? 'the driver\'s own' : `from ${settings.qemuUidBase}`,
    outbound: settings.isOutboundAllowed,
    callbackAddress: settings.callbackAddress,
    gatewayId: settings.gatewayId,
    supervisorRuntimeDir: settings.supervisorRuntime?.hostDir ?? 'none',
  });
  // With the kernel at hand the verdict is known at once (cached) or after one probe boot, so
  // it is printed and GetCapabilities reports it from the start. Without one nothing is
  // fetched now: the first boot prepares the kernel (lazily, with progress) and decides then.
  if ((await kernels.store.find(settings.kernel)) !== undefined) {
    try {
      const verdict = await parts.accelerator.get();
      logger.info('vm accelerator', { accelerator: verdict.accelerator, reason: verdict.reason });
    } catch (error) {
      logger.warn('could not decide the accelerator yet; will retry at the first boot', { error });
    }
  } else {
    logger.info('vm accelerator: decided at the first boot, once the guest kernel is prepared (or run shellgate-driver-vm prepare)', { kernel: settings.kernel });
  }
  await driver.start();
  return driver;
}
