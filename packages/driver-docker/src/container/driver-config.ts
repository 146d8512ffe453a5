import { parseCdiDeviceList, parseMountList, refuseBindMounts } from '@shellgate/container-engine';
import type { MountSpec } from '@shellgate/container-engine';
import { formatDriverConfigField, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

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
/** Where the `mounts` list lives, for the problems bind mount checks name. */
export const DRIVER_CONFIG_MOUNTS_FIELD = `${FIELD}.mounts`;

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
  const mounts = raw['mounts'] === undefined ? [] : parseMountList(raw['mounts'], DRIVER_CONFIG_MOUNTS_FIELD, problems, 'Docker');
  const cdiDevices = raw['cdi_devices'] === undefined ? [] : parseCdiDeviceList(raw['cdi_devices'], `${FIELD}.cdi_devices`, problems);
  throwIfProblems('docker driver_config', problems, 'see the driver-docker README for driver_config');
  refuseBindMounts(mounts, DRIVER_CONFIG_MOUNTS_FIELD, policy.allowBindMounts);
  return { mounts, cdiDevices };
}
