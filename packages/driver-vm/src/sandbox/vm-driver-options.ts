import { findMountTargetProblems, formatDriverConfigField, parseMemoryQuantity, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

import { KERNEL_CHOICES } from '../kernel/kernel-store.js';
import type { KernelChoice } from '../kernel/kernel-store.js';
import { DRIVER_NAME } from '../version.js';

/** An extra disk a sandbox asks for: an empty ext4 file system mounted at `target`. */
export interface RequestedDisk {
  readonly target: string;
  readonly sizeMib: number;
}

/** `spec.template.driver_config` as this driver reads it: the value under the "vm" key. */
export interface VmDriverOptions {
  readonly vcpus?: number;
  readonly memoryMib?: number;
  readonly kernel?: KernelChoice;
  readonly disks: readonly RequestedDisk[];
}

/** Problems name the path the user wrote (`…driver_config.vm.disks`), not the unwrapped value this driver receives. */
const FIELD = formatDriverConfigField(DRIVER_NAME);
const KNOWN_KEYS = ['vcpus', 'memory', 'kernel', 'disks'];
const KNOWN_DISK_KEYS = ['target', 'size'];
/** Disk targets are passed to `/init` as words: no spaces, quotes or colons. */
const DISK_TARGET = /^\/[A-Za-z0-9._/-]+$/;
const MIB = 1024 * 1024;
/** Virtio disks a sandbox may add; each is a device and an fd of its QEMU. */
export const MAX_EXTRA_DISKS = 8;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Kubernetes quantity ("512Mi", "2Gi") or a number of bytes, in whole MiB (rounded up). */
function parseMib(raw: unknown, field: string, problems: ValidationProblem[]): number | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    problems.push({ field, reason: 'must be a quantity such as "512Mi" or "2Gi"' });
    return undefined;
  }
  try {
    const bytes = parseMemoryQuantity(String(raw));
    if (bytes <= 0) throw new Error('not positive');
    return Math.ceil(bytes / MIB);
  } catch {
    problems.push({ field, reason: `${JSON.stringify(raw)} is not a quantity such as "512Mi" or "2Gi"` });
    return undefined;
  }
}

function parseDisk(raw: unknown, field: string, problems: ValidationProblem[]): RequestedDisk | undefined {
  if (!isRecord(raw)) {
    problems.push({ field, reason: 'must be a table { target, size }' });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_DISK_KEYS.includes(key)) problems.push({ field: `${field}.${key}`, reason: `is not a disk key (known: ${KNOWN_DISK_KEYS.join(', ')})` });
  }
  const target = raw['target'];
  if (typeof target !== 'string') problems.push({ field: `${field}.target`, reason: 'must be an absolute path inside the sandbox' });
  else {
    problems.push(...findMountTargetProblems(target, `${field}.target`));
    if (!DISK_TARGET.test(target)) problems.push({ field: `${field}.target`, reason: 'may hold only letters, digits and . _ / -' });
  }
  const sizeMib = parseMib(raw['size'], `${field}.size`, problems);
  if (problems.length > before || typeof target !== 'string' || sizeMib === undefined) return undefined;
  return { target, sizeMib };
}

function parseDisks(raw: unknown, problems: ValidationProblem[]): RequestedDisk[] {
  const field = `${FIELD}.disks`;
  if (!Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a list of { target, size } tables' });
    return [];
  }
  if (raw.length > MAX_EXTRA_DISKS) problems.push({ field, reason: `at most ${MAX_EXTRA_DISKS} disks` });
  const disks: RequestedDisk[] = [];
  raw.forEach((entry: unknown, index) => {
    const disk = parseDisk(entry, `${field}[${index}]`, problems);
    if (disk !== undefined) disks.push(disk);
  });
  const targets = disks.map((disk) => disk.target);
  const duplicate = targets.find((target, index) => targets.indexOf(target) !== index);
  if (duplicate !== undefined) problems.push({ field, reason: `two disks at ${JSON.stringify(duplicate)}` });
  return disks;
}

/**
 * Reads and checks `driver_config`: `vcpus` (whole number), `memory` (quantity), `kernel`
 * (debian or small) and `disks` ([{ target, size }]). Any other key is an error naming it.
 * Limits against the driver's caps are checked by the caller.
 * @throws InvalidArgumentError listing every problem by field.
 */
export function parseVmDriverOptions(raw: Readonly<Record<string, unknown>> | undefined): VmDriverOptions {
  if (raw === undefined) return { disks: [] };
  const problems: ValidationProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) problems.push({ field: `${FIELD}.${key}`, reason: `is not a vm driver option (known: ${KNOWN_KEYS.join(', ')})` });
  }
  const vcpus = raw['vcpus'];
  if (vcpus !== undefined && (typeof vcpus !== 'number' || !Number.isInteger(vcpus) || vcpus < 1)) {
    problems.push({ field: `${FIELD}.vcpus`, reason: 'must be a whole number of at least 1' });
  }
  const memoryMib = raw['memory'] === undefined ? undefined : parseMib(raw['memory'], `${FIELD}.memory`, problems);
  const kernel = raw['kernel'];
  if (kernel !== undefined && !KERNEL_CHOICES.includes(kernel as KernelChoice)) {
    problems.push({ field: `${FIELD}.kernel`, reason: `must be one of ${KERNEL_CHOICES.join(', ')}` });
  }
  const disks = raw['disks'] === undefined ? [] : parseDisks(raw['disks'], problems);
  throwIfProblems('vm driver_config', problems, 'see the driver-vm README for driver_config');
  return {
    ...(typeof vcpus === 'number' ? { vcpus } : {}),
    ...(memoryMib === undefined ? {} : { memoryMib }),
    ...(kernel === undefined ? {} : { kernel: kernel as KernelChoice }),
    disks,
  };
}
