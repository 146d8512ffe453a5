import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { RunHostCommand } from '../host/run-host-command.js';
import { extractVmlinux } from './extract-vmlinux.js';
import { GUEST_MODULES } from './guest-modules.js';
import type { KernelStore, PreparedKernel } from './kernel-store.js';
import { KernelChoice } from './kernel-store.js';
import { readModuleDependencies, resolveModuleOrder, toModuleName } from './module-order.js';

/** The Debian metapackage whose dependency is the current cloud kernel. */
export const DEBIAN_KERNEL_PACKAGE = 'linux-image-cloud-amd64';

/** What preparing a kernel reports as it goes (the prepare command prints it, a create turns it into events). */
export type ReportProgress = (message: string) => void;

/** Every `*.ko` file under `dir`, by module name. */
async function indexModules(dir: string): Promise<Map<string, string>> {
  const modules = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ko')) modules.set(toModuleName(entry.name), join(entry.parentPath, entry.name));
  }
  return modules;
}

async function readBuiltinModules(releaseDir: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(releaseDir, 'modules.builtin'), 'utf8');
    return new Set(text.split('\n').filter((line) => line !== '').map((line) => toModuleName(basename(line))));
  } catch {
    return new Set();
  }
}

/**
 * The real package behind `packageName`: a metapackage such as linux-image-cloud-amd64
 * depends on exactly one versioned `linux-image-*` package; a versioned name is itself.
 */
export async function resolveKernelPackage(packageName: string, run: RunHostCommand): Promise<string> {
  const depends = await run('apt-cache', ['depends', packageName]);
  const target = /Depends:\s+(linux-image-\S+)/.exec(depends)?.[1];
  return target ?? packageName;
}

/**
 * Downloads the kernel package with `apt-get download` into `dir` and returns the .deb's
 * path. As root, a failed download runs `apt-get update` once and retries (a fresh machine
 * has no package lists).
 */
export async function downloadKernelPackage(packageName: string, dir: string, options: { run: RunHostCommand; isRoot: boolean; report: ReportProgress }): Promise<string> {
  const { run, report } = options;
  const resolved = await resolveKernelPackage(packageName, run).catch(() => packageName);
  report(`downloading ${resolved} with apt-get`);
  try {
    await run('apt-get', ['download', '-q', resolved], { cwd: dir });
  } catch (error) {
    if (!options.isRoot) throw error;
    report('apt-get download failed; running apt-get update and trying again');
    await run('apt-get', ['update', '-q']);
    await run('apt-get', ['download', '-q', resolved], { cwd: dir });
  }
  const deb = (await readdir(dir)).find((name) => name.endsWith('.deb'));
  if (deb === undefined) throw new Error(`apt-get download ${resolved} left no .deb in ${dir}`);
  return join(dir, deb);
}

/**
 * Unpacks a Debian `linux-image-*` package (`dpkg-deb -x`) and stores what a VM boots from
 * it: the payload of `/boot/vmlinuz-*` decompressed to an ELF vmlinux, and the modules of
 * {@link GUEST_MODULES} with their dependencies, in load order. The kernel's id carries a
 * hash of the vmlinuz, so a new kernel package gets a new directory.
 */
export async function unpackDebianKernel(
  debPath: string,
  options: { store: KernelStore; workDir: string; run: RunHostCommand; report: ReportProgress },
): Promise<PreparedKernel> {
  const { store, run, report } = options;
  const root = await mkdtemp(join(options.workDir, 'debian-kernel-'));
  try {
    report(`unpacking ${basename(debPath)}`);
    await run('dpkg-deb', ['-x', debPath, root]);
    const vmlinuzName = (await readdir(join(root, 'boot'))).find((name) => name.startsWith('vmlinuz-'));
    if (vmlinuzName === undefined) throw new Error(`${basename(debPath)} has no /boot/vmlinuz-*: is it a linux-image package?`);
    const release = vmlinuzName.slice('vmlinuz-'.length);
    const vmlinuz = await readFile(join(root, 'boot', vmlinuzName));
    const hash = createHash('sha256').update(vmlinuz).digest('hex').slice(0, 16);
    report(`decompressing vmlinuz-${release} to an ELF vmlinux`);
    const vmlinux = extractVmlinux(vmlinuz);
    const releaseDir = join(root, 'lib', 'modules', release);
    const available = await indexModules(releaseDir);
    const builtIn = await readBuiltinModules(releaseDir);
    const order = resolveModuleOrder(GUEST_MODULES, new Set(available.keys()), builtIn, (name) => readModuleDependencies(readFileSync(available.get(name)!)));
    const modules = new Map<string, Uint8Array>();
    for (const name of order) modules.set(name, await readFile(available.get(name)!));
    const kernel: PreparedKernel = { id: `${KernelChoice.Debian}-${release}-${hash}`, choice: KernelChoice.Debian, release, modules: order, source: basename(debPath) };
    await store.add(kernel, vmlinux, modules);
    report(`kernel ${kernel.id} ready (${order.length} modules: ${order.join(' ')})`);
    return kernel;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
