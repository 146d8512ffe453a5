/** Driver names become record fields and `driver_config` keys: keep them DNS-label-ish. */
const DRIVER_NAME_PATTERN = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

/** True when `value` may name a driver (see {@link DRIVER_NAME_RULE}). */
export function isDriverName(value: string): boolean {
  return DRIVER_NAME_PATTERN.test(value);
}

export const DRIVER_NAME_RULE = 'lowercase letters, digits, "-" and "_", starting and ending with a letter or digit, at most 63 chars';
