import { parseCdiDeviceList, parseMountList, refuseBindMounts } from '@shellgate/container-engine';
import type { MountSpec } from '@shellgate/container-engine';
import { FailedPreconditionError, formatDriverConfigField, quoteValue, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

import { DRIVER_NAME } from '../version.js';

/** Podman user namespace modes a sandbox may ask for; `keep-id` maps the rootless user to itself. */
export const USERNS_MODES: readonly string[] = ['keep-id', 'auto', 'host'];

/** `spec.template.driver_config` as this driver reads it: the value under the "podman" key. */
export interface PodmanDriverOptions {
  readonly mounts: readonly MountSpec[];
  /** Fully qualified CDI device names, e.g. `nvidia.com/gpu=all`. */
  readonly cdiDevices: readonly string[];
  /** One of {@link USERNS_MODES}; empty: Podman's default. */
  readonly userns: string;
}

/** Problems name the path the user wrote (`…driver_config.podman.mounts`), not the unwrapped value this driver receives. */
export const DRIVER_CONFIG_FIELD = formatDriverConfigField(DRIVER_NAME);
const KNOWN_KEYS: ReadonlySet<string> = new Set(['mounts', 'cdi_devices', 'userns']);

function parseUserns(raw: unknown, problems: ValidationProblem[]): string {
  if (typeof raw === 'string' && USERNS_MODES.includes(raw)) return raw;
  problems.push({ field: `${DRIVER_CONFIG_FIELD}.userns`, reason: `${quoteValue(raw)} is not a user namespace mode this driver takes (${USERNS_MODES.join(', ')})` });
  return '';
}

/**
 * Reads and checks `driver_config`: `mounts` (bind, volume, tmpfs; reserved targets
 * refused; bind sources as written, see `resolveBindMounts` for what they lead to),
 * `cdi_devices` and `userns`. Any other key is an error naming it.
 * @throws InvalidArgumentError listing every problem by field.
 * @throws FailedPreconditionError for a bind mount while `allow_bind_mounts` is off, or
 *   `userns = "keep-id"` on a rootful service.
 */
export function parsePodmanDriverOptions(
  raw: Readonly<Record<string, unknown>> | undefined,
  policy: { readonly allowBindMounts: boolean; readonly isRootless: boolean },
): PodmanDriverOptions {
  if (raw === undefined) return { mounts: [], cdiDevices: [], userns: '' };
  const problems: ValidationProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) problems.push({ field: `${DRIVER_CONFIG_FIELD}.${key}`, reason: `is not a podman driver option (known: ${[...KNOWN_KEYS].join(', ')})` });
  }
  const mounts = raw['mounts'] === undefined ? [] : parseMountList(raw['mounts'], `${DRIVER_CONFIG_FIELD}.mounts`, problems, 'Podman');
  const cdiDevices = raw['cdi_devices'] === undefined ? [] : parseCdiDeviceList(raw['cdi_devices'], `${DRIVER_CONFIG_FIELD}.cdi_devices`, problems);
  const userns = raw['userns'] === undefined ? '' : parseUserns(raw['userns'], problems);
  throwIfProblems('podman driver_config', problems, 'see the driver-podman README for driver_config');
  refuseBindMounts(mounts, `${DRIVER_CONFIG_FIELD}.mounts`, policy.allowBindMounts);
  if (userns === 'keep-id' && !policy.isRootless) {
    throw new FailedPreconditionError(`${DRIVER_CONFIG_FIELD}.userns: "keep-id" needs rootless Podman, and this driver's Podman service runs as root`, {
      hint: 'drop userns, or run the sandbox on a driver connected to a rootless Podman service',
    });
  }
  return { mounts, cdiDevices, userns };
}
