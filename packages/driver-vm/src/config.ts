import { GATEWAY_CALLBACK_CONFIG_KEYS, GATEWAY_ID_ENV, SUPERVISOR_TLS_CONFIG_KEYS, defineConfig } from '@shellgate/driver-sdk';
import type { ConfigValues } from '@shellgate/driver-sdk';
import { isIPv4 } from 'node:net';

import { ImageEngine } from './image/image-source.js';
import { KERNEL_CHOICES, KernelChoice } from './kernel/kernel-store.js';
import { DEBIAN_KERNEL_PACKAGE } from './kernel/debian-kernel.js';

/** How the driver picks the accelerator: probe `/dev/kvm` once, or force one. */
export const AcceleratorSetting = {
  Auto: 'auto',
  Kvm: 'kvm',
  Tcg: 'tcg',
} as const;
export type AcceleratorSetting = (typeof AcceleratorSetting)[keyof typeof AcceleratorSetting];

/** A 127.x.y.z address other than 127.0.0.1, which the gateway's primary listener usually holds. */
function checkCallbackAddress(value: string): string | undefined {
  if (!isIPv4(value) || !value.startsWith('127.')) return 'must be an IPv4 loopback address such as 127.0.0.2';
  return undefined;
}

/**
 * Every setting of `shellgate-driver-vm` (flag > env > `--config` TOML > default).
 * `--help` prints this list, and the package README documents the same keys.
 */
export const vmDriverConfig = defineConfig({
  keys: {
    default_image: {
      type: 'string',
      default: 'busybox:latest',
      env: 'SHELLGATE_VM_DEFAULT_IMAGE',
      flag: '--default-image',
      description: 'image for sandboxes that name none (reported as default_image in GetCapabilities)',
    },
    image_engine: {
      type: 'string',
      default: ImageEngine.Docker,
      choices: Object.values(ImageEngine),
      env: 'SHELLGATE_VM_IMAGE_ENGINE',
      flag: '--image-engine',
      description: 'local engine whose CLI exports images (docker or podman; DOCKER_HOST / CONTAINER_HOST apply); docker-archive:PATH and oci-archive:PATH images need none',
    },
    image_archive_dir: {
      type: 'string',
      env: 'SHELLGATE_VM_IMAGE_ARCHIVE_DIR',
      flag: '--image-archive-dir',
      description: 'directory whose docker save / OCI archives sandboxes may name as docker-archive:PATH or oci-archive:PATH; unset: archive images are refused',
    },
    state_dir: {
      type: 'string',
      env: 'SHELLGATE_VM_STATE_DIR',
      flag: '--state-dir',
      description:
        'directory for token files, per-sandbox disks and state (created 0700); default /var/lib/shellgate/driver-vm ' +
        'as root, else $XDG_STATE_HOME/shellgate/driver-vm or ~/.local/state/shellgate/driver-vm',
    },
    cache_dir: {
      type: 'string',
      env: 'SHELLGATE_VM_CACHE_DIR',
      flag: '--cache-dir',
      description: 'kernels, initramfs, runtime and image disks, each cached by content hash; default STATE_DIR/cache',
    },
    run_dir: {
      type: 'string',
      env: 'SHELLGATE_VM_RUN_DIR',
      flag: '--run-dir',
      description:
        'short-lived QMP, console and control sockets, one 0700 directory per VM; default /run/shellgate-vm as root, ' +
        'else $XDG_RUNTIME_DIR/shellgate/driver-vm or /tmp/shellgate-driver-vm-UID',
    },
    kernel: {
      type: 'string',
      default: KernelChoice.Debian,
      choices: KERNEL_CHOICES,
      env: 'SHELLGATE_VM_KERNEL',
      flag: '--kernel',
      description: 'guest kernel: debian (Debian\'s cloud kernel, no compile) or small (built by `prepare --kernel small`, boots faster)',
    },
    kernel_package: {
      type: 'string',
      default: DEBIAN_KERNEL_PACKAGE,
      env: 'SHELLGATE_VM_KERNEL_PACKAGE',
      flag: '--kernel-package',
      description: 'Debian package the debian kernel comes from (apt-get download; a metapackage resolves to its kernel)',
    },
    kernel_deb: {
      type: 'string',
      env: 'SHELLGATE_VM_KERNEL_DEB',
      flag: '--kernel-deb',
      description: 'a linux-image .deb file to unpack instead of downloading kernel_package (hosts without apt)',
    },
    accelerator: {
      type: 'string',
      default: AcceleratorSetting.Auto,
      choices: Object.values(AcceleratorSetting),
      env: 'SHELLGATE_VM_ACCELERATOR',
      flag: '--accelerator',
      description: 'auto: KVM when a tiny probe boot works on /dev/kvm (verdict cached), else TCG emulation; kvm or tcg force one',
    },
    qemu_binary: {
      type: 'string',
      default: 'qemu-system-x86_64',
      env: 'SHELLGATE_VM_QEMU_BINARY',
      flag: '--qemu-binary',
      description: 'QEMU system emulator (Debian package qemu-system-x86)',
    },
    busybox: {
      type: 'string',
      default: '/bin/busybox',
      env: 'SHELLGATE_VM_BUSYBOX',
      flag: '--busybox',
      description: 'a static busybox (Debian package busybox-static): the initramfs\'s only program, and the gateway forward\'s connector',
    },
    default_vcpus: {
      type: 'integer',
      default: 1,
      min: 1,
      env: 'SHELLGATE_VM_DEFAULT_VCPUS',
      flag: '--default-vcpus',
      description: 'vCPUs of a sandbox whose spec sets no cpu limit or request',
    },
    max_vcpus: {
      type: 'integer',
      default: 4,
      min: 1,
      env: 'SHELLGATE_VM_MAX_VCPUS',
      flag: '--max-vcpus',
      description: 'most vCPUs a sandbox may ask for (more is INVALID_ARGUMENT)',
    },
    default_memory_mib: {
      type: 'integer',
      default: 512,
      min: 128,
      env: 'SHELLGATE_VM_DEFAULT_MEMORY_MIB',
      flag: '--default-memory-mib',
      description: 'guest RAM in MiB of a sandbox whose spec sets no memory limit or request',
    },
    max_memory_mib: {
      type: 'integer',
      default: 4096,
      min: 128,
      env: 'SHELLGATE_VM_MAX_MEMORY_MIB',
      flag: '--max-memory-mib',
      description: 'most guest RAM in MiB a sandbox may ask for (more is INVALID_ARGUMENT)',
    },
    disk_size_mib: {
      type: 'integer',
      default: 2048,
      min: 64,
      env: 'SHELLGATE_VM_DISK_SIZE_MIB',
      flag: '--disk-size-mib',
      description: 'size of each sandbox\'s writable layer (a sparse ext4 file: it uses only what is written)',
    },
    max_disk_size_mib: {
      type: 'integer',
      default: 65536,
      min: 64,
      env: 'SHELLGATE_VM_MAX_DISK_SIZE_MIB',
      flag: '--max-disk-size-mib',
      description: 'largest extra disk (driver_config.vm.disks) a sandbox may ask for',
    },
    allow_outbound: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_VM_ALLOW_OUTBOUND',
      flag: '--allow-outbound',
      description: 'let sandboxes open connections beyond the gateway (the internet, and every address the host reaches, its loopback included); off by default',
    },
    callback_address: {
      type: 'string',
      default: '127.0.0.2',
      check: checkCallbackAddress,
      env: 'SHELLGATE_VM_CALLBACK_ADDRESS',
      flag: '--callback-address',
      description: 'loopback address the gateway binds a callback-only listener on (GetGatewayListenerRequirements); the only host address sandboxes reach',
    },
    stop_timeout_seconds: {
      type: 'integer',
      default: 10,
      min: 0,
      env: 'SHELLGATE_VM_STOP_TIMEOUT_SECONDS',
      flag: '--stop-timeout-seconds',
      description: 'seconds between SIGTERM and SIGKILL of the entrypoint when a sandbox is stopped; the guest then syncs and powers off',
    },
    qemu_uid_base: {
      type: 'integer',
      default: 1_900_000_000,
      min: 0,
      max: 4_000_000_000,
      env: 'SHELLGATE_VM_QEMU_UID_BASE',
      flag: '--qemu-uid-base',
      description: 'as root, each VM\'s QEMU runs as its own uid and gid in [base, base+2^20), no passwd entry needed; 0: as the driver\'s user',
    },
    ...GATEWAY_CALLBACK_CONFIG_KEYS,
    ...SUPERVISOR_TLS_CONFIG_KEYS,
    gateway_id: {
      type: 'string',
      default: 'standalone',
      env: GATEWAY_ID_ENV,
      flag: '--gateway-id',
      description: 'id of the owning gateway, recorded with every sandbox; list and watch only see its sandboxes',
    },
    supervisor_runtime_dir: {
      type: 'string',
      env: 'SHELLGATE_VM_SUPERVISOR_RUNTIME_DIR',
      flag: '--supervisor-runtime-dir',
      description:
        'supervisor runtime bundle (shellgate-supervisor-bundle --out DIR), packed into a read-only disk mounted at /opt/shellgate/runtime ' +
        'and started as every sandbox\'s entrypoint; unset: built once from the installed @shellgate/supervisor into STATE_DIR/runtime',
    },
    expose_token_to_agent: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_VM_EXPOSE_TOKEN_TO_AGENT',
      flag: '--expose-token-to-agent',
      description:
        'leave the sandbox token file in the guest as delivered (not emptied by the supervisor) for images whose own processes read it; ' +
        'weakens isolation: any process in the sandbox that can read it can act as the supervisor',
    },
    inject_supervisor: {
      type: 'boolean',
      default: true,
      env: 'SHELLGATE_VM_INJECT_SUPERVISOR',
      flag: '--inject-supervisor',
      description: 'run the Shellgate supervisor as every sandbox\'s entrypoint; false: the command runs as root directly, and the gateway needs requires_supervisor = false',
    },
  },
});

/** The resolved settings, as `runDriverMain` hands them to `createDriver`. */
export type VmDriverConfig = ConfigValues<(typeof vmDriverConfig)['keys']>;
