import type { VmExit } from '../vm/running-vm.js';

/** Console lines quoted when a VM ended before its entrypoint ran. */
const QUOTED_CONSOLE_LINES = 3;

/** One sentence on how a VM ended, for the sandbox's Ready condition and the VmExited event. */
export function describeVmExit(exit: VmExit): string {
  if (exit.entrypointExitCode !== undefined) return `the VM powered off after its entrypoint exited with code ${exit.entrypointExitCode}`;
  const console = exit.consoleTail.slice(-QUOTED_CONSOLE_LINES).join(' | ');
  const tail = console === '' ? '' : `; last console lines: ${console}`;
  if (exit.signal !== null) return `QEMU was killed by ${exit.signal}${tail}`;
  if (exit.qemuExitCode === null) return `QEMU ended, killed or crashed; its exit status is unknown because an earlier driver process started it${tail}`;
  if (exit.qemuExitCode !== 0) return `QEMU exited with code ${exit.qemuExitCode}${tail}`;
  return `the VM powered off before its entrypoint ended${tail}`;
}
