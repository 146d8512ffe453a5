import { SandboxFileStore } from '@shellgate/driver-sdk';
import type { SandboxRecord } from '@shellgate/driver-sdk';

import type { KernelChoice } from './kernel/kernel-store.js';

/** An extra writable disk of a sandbox (`driver_config.vm.disks`). */
export interface StoredDisk {
  /** Also the virtio serial `/init` finds it by: `sg-disk-N`. */
  readonly serial: string;
  readonly target: string;
  readonly sizeMib: number;
}

/** What a sandbox boots, fixed at create like a container's config. */
export interface StoredLaunch {
  readonly imageReference: string;
  /** The resolved image id; the base disk is cached under it. */
  readonly imageId: string;
  readonly kernel: KernelChoice;
  readonly vcpus: number;
  readonly memoryMib: number;
  /** The entrypoint's environment: the image's, the user's, then the driver's `OPENSHELL_*`. */
  readonly env: Readonly<Record<string, string>>;
  /** The canonical command: `spec.command`, else the image's entrypoint + cmd. */
  readonly command: readonly string[];
  readonly tty: boolean;
  /** The image's non-root USER the supervisor runs the command as; empty: root. */
  readonly user: string;
  readonly workdir: string;
  readonly hostname: string;
  readonly disks: readonly StoredDisk[];
}

/** The QEMU of the current boot, found again after a driver restart. */
export interface StoredProcess {
  readonly pid: number;
  readonly startTicks: number;
  readonly runDir: string;
  readonly bootedAtMs: number;
}

/** How the last boot ended, when it ended on its own (not by StopSandbox). */
export interface StoredExit {
  readonly message: string;
  readonly atMs: number;
}

/** A VM sandbox's state file: the SDK's record plus what this driver needs across restarts. */
export interface VmSandboxRecord extends SandboxRecord {
  readonly gatewayId: string;
  /** Set once the create resolved the image; absent while the create runs. */
  readonly launch?: StoredLaunch;
  readonly process?: StoredProcess;
  readonly lastExit?: StoredExit;
}

/** The driver's per-sandbox files: token, state, and (beside them) its disks and QEMU log. */
export type SandboxStateStore = SandboxFileStore<VmSandboxRecord>;

export function createSandboxStateStore(stateDir: string): SandboxStateStore {
  return new SandboxFileStore<VmSandboxRecord>(stateDir);
}
