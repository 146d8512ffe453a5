import { FailedPreconditionError, findBindMountSourceProblems, findMountTargetProblems, quoteValue } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

/** A mount as a container driver asks for it (from `driver_config` or its own). */
export interface MountSpec {
  readonly type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); absent for tmpfs and anonymous volumes. */
  readonly source?: string;
  readonly target: string;
  readonly isReadOnly: boolean;
}

const KNOWN_MOUNT_KEYS: ReadonlySet<string> = new Set(['type', 'source', 'target', 'read_only']);
const MOUNT_TYPES: ReadonlySet<string> = new Set(['bind', 'volume', 'tmpfs']);
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CDI_DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*=[A-Za-z0-9_.:-]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findSourceProblems(type: string, source: unknown, field: string, engineName: string): ValidationProblem[] {
  const problem = (reason: string): ValidationProblem[] => [{ field, reason }];
  if (source === undefined) return type === 'bind' ? problem('a bind mount needs a source (an absolute host path)') : [];
  if (typeof source !== 'string') return problem('must be a string');
  if (type === 'tmpfs') return problem('a tmpfs mount takes no source');
  if (type === 'bind') return findBindMountSourceProblems(source, field);
  if (type === 'volume' && !VOLUME_NAME.test(source)) return problem(`${quoteValue(source)} is not a ${engineName} volume name`);
  return [];
}

function parseMount(raw: unknown, field: string, problems: ValidationProblem[], engineName: string): MountSpec | undefined {
  if (!isRecord(raw)) {
    problems.push({ field, reason: 'must be a table { type, source?, target, read_only? }' });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_MOUNT_KEYS.has(key)) problems.push({ field: `${field}.${key}`, reason: 'is not a known mount key (type, source, target, read_only)' });
  }
  const type = raw['type'];
  if (typeof type !== 'string' || !MOUNT_TYPES.has(type)) {
    problems.push({ field: `${field}.type`, reason: 'must be "bind", "volume" or "tmpfs"' });
    return undefined;
  }
  problems.push(...findSourceProblems(type, raw['source'], `${field}.source`, engineName));
  const target = raw['target'];
  if (typeof target !== 'string') {
    problems.push({ field: `${field}.target`, reason: 'must be an absolute path inside the sandbox' });
  } else {
    problems.push(...findMountTargetProblems(target, `${field}.target`));
  }
  const readOnly = raw['read_only'];
  if (readOnly !== undefined && typeof readOnly !== 'boolean') problems.push({ field: `${field}.read_only`, reason: 'must be true or false' });
  if (problems.length > before || typeof target !== 'string') return undefined;
  const source = raw['source'];
  return {
    type: type as MountSpec['type'],
    ...(typeof source === 'string' ? { source } : {}),
    target,
    isReadOnly: readOnly === true,
  };
}

/**
 * Reads a `driver_config` `mounts` list at `field` (e.g. `…driver_config.docker.mounts`):
 * `{ type = "bind" | "volume" | "tmpfs", source?, target, read_only? }` each, reserved
 * targets refused, bind sources as written (see `resolveBindMounts` for what they lead to).
 * Problems are added to `problems`, naming `field[i].key`; only entries without a problem
 * are answered.
 */
export function parseMountList(raw: unknown, field: string, problems: ValidationProblem[], engineName: string): MountSpec[] {
  if (!Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a list of mount tables' });
    return [];
  }
  const mounts: MountSpec[] = [];
  raw.forEach((entry: unknown, index) => {
    const mount = parseMount(entry, `${field}[${index}]`, problems, engineName);
    if (mount !== undefined) mounts.push(mount);
  });
  return mounts;
}

/** Reads a `cdi_devices` list at `field`: fully qualified CDI names such as `nvidia.com/gpu=all`. */
export function parseCdiDeviceList(raw: unknown, field: string, problems: ValidationProblem[]): string[] {
  if (!Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a list of CDI device names such as "nvidia.com/gpu=all"' });
    return [];
  }
  const devices: string[] = [];
  raw.forEach((device: unknown, index) => {
    if (typeof device === 'string' && CDI_DEVICE_NAME.test(device)) devices.push(device);
    else problems.push({ field: `${field}[${index}]`, reason: 'must be a CDI device name VENDOR/CLASS=NAME, e.g. "nvidia.com/gpu=all"' });
  });
  return devices;
}

/**
 * Refuses bind mounts while the operator has not allowed them. Call it once every entry of
 * the list at `field` parsed, so the index it names is the user's.
 * @throws FailedPreconditionError naming the first bind mount and the setting that allows it.
 */
export function refuseBindMounts(mounts: readonly MountSpec[], field: string, isAllowed: boolean): void {
  const bindIndex = mounts.findIndex((mount) => mount.type === 'bind');
  const bind = mounts[bindIndex];
  if (bind === undefined || isAllowed) return;
  throw new FailedPreconditionError(`${field}[${bindIndex}]: bind mount of ${quoteValue(bind.source)} at ${quoteValue(bind.target)} is not allowed by this driver`, {
    hint: 'use a volume or tmpfs mount, or ask the operator to set allow_bind_mounts = true',
  });
}
