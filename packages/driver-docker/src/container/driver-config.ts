import { FailedPreconditionError, findBindMountSourceProblems, findMountTargetProblems, formatDriverConfigField, quoteValue, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

import type { MountSpec } from '../engine/docker-engine.js';
import { DRIVER_NAME } from '../version.js';

/** `spec.template.driver_config` as this driver reads it: the value under the "docker" key. */
export interface DockerDriverOptions {
  readonly mounts: readonly MountSpec[];
  /** Fully qualified CDI device names, e.g. `nvidia.com/gpu=all`. */
  readonly cdiDevices: readonly string[];
}

/** Problems name the path the user wrote (`…driver_config.docker.mounts`), not the unwrapped value this driver receives. */
const FIELD = formatDriverConfigField(DRIVER_NAME);
const KNOWN_KEYS: ReadonlySet<string> = new Set(['mounts', 'cdi_devices']);
const KNOWN_MOUNT_KEYS: ReadonlySet<string> = new Set(['type', 'source', 'target', 'read_only']);
const MOUNT_TYPES: ReadonlySet<string> = new Set(['bind', 'volume', 'tmpfs']);
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CDI_DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*=[A-Za-z0-9_.:-]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findSourceProblems(type: string, source: unknown, field: string): ValidationProblem[] {
  const problem = (reason: string): ValidationProblem[] => [{ field, reason }];
  if (source === undefined) return type === 'bind' ? problem('a bind mount needs a source (an absolute host path)') : [];
  if (typeof source !== 'string') return problem('must be a string');
  if (type === 'tmpfs') return problem('a tmpfs mount takes no source');
  if (type === 'bind') return findBindMountSourceProblems(source, field);
  if (type === 'volume' && !VOLUME_NAME.test(source)) return problem(`${quoteValue(source)} is not a Docker volume name`);
  return [];
}

function parseMount(raw: unknown, field: string, problems: ValidationProblem[]): MountSpec | undefined {
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
  problems.push(...findSourceProblems(type, raw['source'], `${field}.source`));
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

function parseCdiDevices(raw: unknown, problems: ValidationProblem[]): string[] {
  const field = `${FIELD}.cdi_devices`;
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
 * Reads and checks `driver_config`: `mounts` (bind, volume, tmpfs; reserved targets refused;
 * bind sources as written, see `resolveBindMounts` for what they lead to) and `cdi_devices`.
 * Any other key is an error naming it.
 * @throws InvalidArgumentError listing every problem by field.
 * @throws FailedPreconditionError for a bind mount while `allow_bind_mounts` is off.
 */
export function parseDockerDriverOptions(
  raw: Readonly<Record<string, unknown>> | undefined,
  policy: { readonly allowBindMounts: boolean },
): DockerDriverOptions {
  if (raw === undefined) return { mounts: [], cdiDevices: [] };
  const problems: ValidationProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) problems.push({ field: `${FIELD}.${key}`, reason: 'is not a docker driver option (known: mounts, cdi_devices)' });
  }
  const mounts: MountSpec[] = [];
  const rawMounts = raw['mounts'];
  if (rawMounts !== undefined) {
    if (!Array.isArray(rawMounts)) problems.push({ field: `${FIELD}.mounts`, reason: 'must be a list of mount tables' });
    else {
      rawMounts.forEach((entry: unknown, index) => {
        const mount = parseMount(entry, `${FIELD}.mounts[${index}]`, problems);
        if (mount !== undefined) mounts.push(mount);
      });
    }
  }
  const cdiDevices = raw['cdi_devices'] === undefined ? [] : parseCdiDevices(raw['cdi_devices'], problems);
  throwIfProblems('docker driver_config', problems, 'see the driver-docker README for driver_config');
  // Every entry parsed (a problem would have thrown above), so indices match the user's list.
  const bindIndex = mounts.findIndex((mount) => mount.type === 'bind');
  const bind = mounts[bindIndex];
  if (bind !== undefined && !policy.allowBindMounts) {
    const field = `${FIELD}.mounts[${bindIndex}]`;
    throw new FailedPreconditionError(`${field}: bind mount of ${quoteValue(bind.source)} at ${quoteValue(bind.target)} is not allowed by this driver`, {
      hint: 'use a volume or tmpfs mount, or ask the operator to set allow_bind_mounts = true',
    });
  }
  return { mounts, cdiDevices };
}
