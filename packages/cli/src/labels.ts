/**
 * Label/annotation keys the CLI reads from sandboxes. The DRIVER column shows this key when
 * the gateway sets it, else the single key of `spec.template.driver_config`.
 */
export const DRIVER_LABEL = 'shellgate.dev/driver';
