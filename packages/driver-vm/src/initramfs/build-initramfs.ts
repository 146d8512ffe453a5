import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { KernelStore, PreparedKernel } from '../kernel/kernel-store.js';
import type { CpioEntry } from './cpio-archive.js';
import { encodeCpioArchive } from './cpio-archive.js';

/** Our guest `/init`, shipped in the package beside `dist/`. */
export const GUEST_INIT_PATH = fileURLToPath(new URL('../../guest/init.sh', import.meta.url));

/** Directories `/init` expects in the initramfs. */
const DIRECTORIES = ['bin', 'dev', 'etc', 'lib', 'lib/modules', 'newroot', 'proc', 'run', 'sg', 'sys', 'tmp'];

export interface InitramfsInputs {
  readonly kernel: PreparedKernel;
  readonly store: KernelStore;
  /** A statically linked busybox (Debian's busybox-static); it is the initramfs's only program. */
  readonly busybox: Uint8Array;
  /** Applet names `busybox --list` prints; each becomes a link in /bin. */
  readonly applets: readonly string[];
  readonly initScript: string;
}

/**
 * The initramfs for one kernel: busybox and its applet links, our `/init`, the kernel's
 * guest modules and `/etc/modules` naming them in load order, and the two device nodes the
 * kernel needs before devtmpfs is mounted. Deterministic: the same inputs give the same bytes.
 */
export async function buildInitramfs(inputs: InitramfsInputs): Promise<Buffer> {
  const { kernel, store } = inputs;
  const entries: CpioEntry[] = DIRECTORIES.map((path) => ({ type: 'directory', path, mode: 0o755 }));
  entries.push(
    { type: 'char-device', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'char-device', path: 'dev/null', mode: 0o666, major: 1, minor: 3 },
    { type: 'file', path: 'bin/busybox', mode: 0o755, data: inputs.busybox },
    ...inputs.applets.filter((applet) => applet !== 'busybox').map((applet): CpioEntry => ({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' })),
    { type: 'file', path: 'init', mode: 0o755, data: Buffer.from(inputs.initScript) },
    { type: 'file', path: 'etc/modules', mode: 0o644, data: Buffer.from(kernel.modules.map((name) => `${name}\n`).join('')) },
  );
  for (const name of kernel.modules) {
    entries.push({ type: 'file', path: `lib/modules/${name}.ko`, mode: 0o644, data: await readFile(store.modulePath(kernel, name)) });
  }
  return encodeCpioArchive(entries);
}

/**
 * Writes `archive` as `<dir>/<kernel id>-<sha256>.cpio` unless that file exists, and returns
 * its path: named by content, and by the kernel whose modules it carries. World-readable:
 * QEMU opens it as an unprivileged uid.
 */
export async function storeInitramfs(dir: string, kernelId: string, archive: Uint8Array): Promise<string> {
  const path = join(dir, `${kernelId}-${createHash('sha256').update(archive).digest('hex').slice(0, 32)}.cpio`);
  try {
    await stat(path);
    return path;
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, archive, { mode: 0o644 });
    await rename(temporary, path);
    return path;
  }
}
