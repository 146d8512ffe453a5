/** The supervisor's version, sent in `hello` and written into the runtime bundle's manifest. */
export const SUPERVISOR_VERSION = '0.1.0';
