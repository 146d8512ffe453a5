// QEMU and the VM driver's cache, as `scripts/engines/vm.sh start` prepares them. Tests fail
// (never skip) when they are missing: a skipped suite fails the run (STYLE.md 20).
import { existsSync } from 'node:fs';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_RUN, PROCESS_ID } from '../docker/e2e-run.js';
import { runCommand } from '../harness/run-command.js';

/** The engine dir of vm.sh; its cache holds the kernel, initramfs, runtime and image disks. */
export const VM_ENGINE_DIR = process.env.SHELLGATE_VM_ENGINE_DIR ?? '/tmp/shellgate-engines/vm';
export const VM_CACHE_DIR = process.env.SHELLGATE_VM_CACHE_DIR ?? join(VM_ENGINE_DIR, 'cache');
/** Every e2e driver keeps its VMs' sockets under here, so `vm.sh sweep RUN` finds their QEMU. */
const VM_RUN_ROOT = join(VM_ENGINE_DIR, 'run');

const START_HINT = 'run `bash scripts/engines/vm.sh start` (scripts/test.sh does this before the tests)';

/** Throws (so the suite fails) unless QEMU is installed and the cache holds a prepared kernel. */
export async function requireVmEngine(): Promise<void> {
  const qemu = await runCommand('qemu-system-x86_64', ['--version'], 20_000);
  if (qemu.code !== 0) throw new Error(`qemu-system-x86_64 does not run (${qemu.stderr.trim()}): ${START_HINT}`);
  if (!existsSync(join(VM_CACHE_DIR, 'kernels', 'debian.json'))) throw new Error(`no guest kernel prepared in ${VM_CACHE_DIR}: ${START_HINT}`);
}

/** A run dir for one e2e driver: `<run root>/<run>-<process>-<label>`, which vm.sh sweeps by run. */
export function e2eRunDir(label: string): string {
  const dir = join(VM_RUN_ROOT, `${E2E_RUN}-${PROCESS_ID}-${label}`);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  return dir;
}

/** Pids of the QEMU processes whose sockets are under `runDir` (a driver's VMs). */
export function qemuPidsUnder(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'qemu-system-x86') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`path=${runDir}/`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Kills every QEMU of a driver's run dir; for cleanups (VMs outlive their driver by design). */
export function killQemuUnder(runDir: string): void {
  for (const pid of qemuPidsUnder(runDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
