/** Where a create request carries per-driver settings: `{ <driver name>: { ...settings } }`. */
export const DRIVER_CONFIG_FIELD = 'spec.template.driver_config';

/**
 * The field path a problem with a driver's own settings must name, e.g.
 * `formatDriverConfigField('docker', 'mounts[0].target')` →
 * `spec.template.driver_config.docker.mounts[0].target`. The gateway unwraps the
 * `{ docker: {...} }` the user wrote before the driver sees it, so a driver that named the
 * path it received would drop the driver key and point at a field the user never wrote.
 */
export function formatDriverConfigField(driverName: string, key?: string): string {
  const driverField = `${DRIVER_CONFIG_FIELD}.${driverName}`;
  return key === undefined ? driverField : `${driverField}.${key}`;
}
