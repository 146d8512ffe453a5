import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { RunHostCommand } from '../host/run-host-command.js';
import type { ReportProgress } from './debian-kernel.js';
import type { KernelStore, PreparedKernel } from './kernel-store.js';
import { KernelChoice } from './kernel-store.js';

/** The config fragment merged on top of `make tinyconfig`, shipped in the package. */
export const SMALL_KERNEL_CONFIG_PATH = fileURLToPath(new URL('../../guest/small-kernel.config', import.meta.url));
const SOURCE_DIR = '/usr/src';
const SOURCE_PACKAGE = 'linux-source-6.1';
const BUILD_PACKAGES = [SOURCE_PACKAGE, 'build-essential', 'bc', 'flex', 'bison', 'libelf-dev'];

async function findSourceTarball(): Promise<string | undefined> {
  try {
    const names = (await readdir(SOURCE_DIR)).filter((name) => /^linux-source-[\d.]+\.tar\.xz$/.test(name)).sort();
    const newest = names.at(-1);
    return newest === undefined ? undefined : join(SOURCE_DIR, newest);
  } catch {
    return undefined;
  }
}

async function installBuildPackages(run: RunHostCommand, report: ReportProgress): Promise<void> {
  report(`installing ${BUILD_PACKAGES.join(' ')} from Debian`);
  const install = (): Promise<string> => run('apt-get', ['install', '-y', '-q', ...BUILD_PACKAGES], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    await install();
  } catch {
    await run('apt-get', ['update', '-q']);
    await install();
  }
}

/**
 * Compiles the small guest kernel (tinyconfig + {@link SMALL_KERNEL_CONFIG_PATH}, everything
 * built in, so the initramfs carries no modules) from Debian's kernel source, and stores it
 * as the `small` choice. About 11 minutes on 2 cores, so it is cached by a hash of the
 * source tarball and the fragment and never rebuilt for the same inputs; drivers never
 * compile it on their own.
 */
export async function buildSmallKernel(options: { store: KernelStore; workDir: string; run: RunHostCommand; isRoot: boolean; report: ReportProgress }): Promise<PreparedKernel> {
  const { store, run, report } = options;
  let tarball = await findSourceTarball();
  if (tarball === undefined) {
    if (!options.isRoot) throw new Error(`no kernel source in ${SOURCE_DIR}: install ${BUILD_PACKAGES.join(' ')} and run prepare again`);
    await installBuildPackages(run, report);
    tarball = await findSourceTarball();
    if (tarball === undefined) throw new Error(`${SOURCE_PACKAGE} is installed but ${SOURCE_DIR} has no linux-source-*.tar.xz`);
  }
  const fragment = await readFile(SMALL_KERNEL_CONFIG_PATH);
  const source = await stat(tarball);
  const hash = createHash('sha256').update(`${tarball}\0${source.size}\0${source.mtimeMs}\0`).update(fragment).digest('hex').slice(0, 16);
  const current = await store.find(KernelChoice.Small);
  if (current?.id.endsWith(`-${hash}`) === true) {
    report(`small kernel ${current.id} already built`);
    return current;
  }
  const build = join(options.workDir, `.small-kernel-${hash}`);
  await rm(build, { recursive: true, force: true });
  await mkdir(build, { recursive: true });
  try {
    report(`unpacking ${tarball}`);
    await run('tar', ['-xf', tarball, '-C', build, '--strip-components=1']);
    await run('make', ['-s', 'tinyconfig'], { cwd: build });
    await run('scripts/kconfig/merge_config.sh', ['-m', '.config', SMALL_KERNEL_CONFIG_PATH], { cwd: build });
    await run('make', ['-s', 'olddefconfig'], { cwd: build });
    report(`compiling the small kernel with ${availableParallelism()} jobs (about 11 minutes on 2 cores)`);
    await run('make', [`-j${availableParallelism()}`, 'vmlinux'], { cwd: build });
    await run('strip', ['vmlinux'], { cwd: build });
    const release = (await run('make', ['-s', 'kernelrelease'], { cwd: build })).trim();
    const kernel: PreparedKernel = { id: `${KernelChoice.Small}-${release}-${hash}`, choice: KernelChoice.Small, release, modules: [], source: tarball };
    await store.add(kernel, await readFile(join(build, 'vmlinux')), new Map());
    report(`small kernel ${kernel.id} ready`);
    return kernel;
  } finally {
    await rm(build, { recursive: true, force: true });
  }
}
