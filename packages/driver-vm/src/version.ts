/** The driver's name in GetCapabilities and logs. */
export const DRIVER_NAME = 'vm';
/** Reported as driver_version; kept equal to package.json (a test checks it). */
export const DRIVER_VERSION = '0.1.0';
