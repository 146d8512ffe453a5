/** The driver's name in GetCapabilities, logs and `driver_config` (`driver_config.k8s`). */
export const DRIVER_NAME = 'k8s';
/** Reported as driver_version; kept equal to package.json (a test checks it). */
export const DRIVER_VERSION = '0.1.0';
