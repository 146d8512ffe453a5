import { encodeCpioArchive } from '../initramfs/cpio-archive.js';

/** The guest address the gateway forward listens on; `/init` maps the callback hostname to it. */
export const GUEST_GATEWAY_ADDRESS = '10.0.2.100';

/** An extra ext4 disk `/init` mounts, by its virtio serial. */
export interface GuestDiskMount {
  readonly serial: string;
  readonly target: string;
}

/** Everything `/init` needs to start a sandbox, besides its disks. */
export interface GuestLaunch {
  readonly hostname: string;
  /** Absolute, inside the image; created when missing. */
  readonly workdir: string;
  readonly isOutboundAllowed: boolean;
  readonly disks: readonly GuestDiskMount[];
  /** The entrypoint's whole environment (`env -i`). */
  readonly env: Readonly<Record<string, string>>;
  /** argv inside the image's root. */
  readonly argv: readonly string[];
}

/** Disk images are whole sectors; 4 KiB keeps the block layer's view simple. */
const DISK_ALIGNMENT = 4096;

/** Quotes a word for /bin/sh: single quotes, with `'` written as `'\''`. */
export function quoteShellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `launch.sh`, which `/init` sources: plain assignments and `sg_exec`, which starts the
 * entrypoint with exactly `env`, chrooted into the image at `workdir`. Every value is
 * single-quoted, so no user input is ever parsed as shell code.
 */
export function encodeLaunchScript(launch: GuestLaunch): string {
  const env = Object.keys(launch.env)
    .sort()
    .map((key) => quoteShellWord(`${key}=${launch.env[key] ?? ''}`));
  return [
    '# Written by shellgate-driver-vm for one boot; sourced by /init.',
    `SG_HOSTNAME=${quoteShellWord(launch.hostname)}`,
    `SG_WORKDIR=${quoteShellWord(launch.workdir)}`,
    `SG_OUTBOUND=${launch.isOutboundAllowed ? 1 : 0}`,
    `SG_GATEWAY_ADDRESS=${GUEST_GATEWAY_ADDRESS}`,
    `SG_DISKS=${quoteShellWord(launch.disks.map((disk) => `${disk.serial}:${disk.target}`).join(' '))}`,
    'sg_exec() {',
    `  exec /bin/env -i ${[...env, '/bin/nsenter', '-r/newroot', '"-w/newroot$SG_WORKDIR"', '--', ...launch.argv.map(quoteShellWord)].join(' ')}`,
    '}',
    '',
  ].join('\n');
}

/** A file for the guest's /opt/shellgate/tls (`supervisor_tls_*`), by its name there. */
export interface GuestTlsFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/**
 * The per-boot config disk: a newc cpio with `launch.sh`, when given `token` (0600), and the
 * TLS files under `tls/`, padded to whole 4 KiB. `/init` unpacks it and zeroes the device,
 * and the driver unlinks the host file once QEMU holds it open, so the token outlives the
 * boot nowhere but in the driver's 0600 token file.
 */
export function buildConfigDisk(launch: GuestLaunch, token: string | undefined, tlsFiles: readonly GuestTlsFile[] = []): Buffer {
  const archive = encodeCpioArchive([
    { type: 'file', path: 'launch.sh', mode: 0o644, data: Buffer.from(encodeLaunchScript(launch)) },
    ...(token === undefined ? [] : [{ type: 'file' as const, path: 'token', mode: 0o600, data: Buffer.from(token) }]),
    ...(tlsFiles.length === 0 ? [] : [{ type: 'directory' as const, path: 'tls', mode: 0o755 }]),
    ...tlsFiles.map((file) => ({ type: 'file' as const, path: `tls/${file.name}`, mode: 0o444, data: file.data })),
  ]);
  const padded = Buffer.alloc(Math.ceil(archive.length / DISK_ALIGNMENT) * DISK_ALIGNMENT);
  archive.copy(padded);
  return padded;
}
