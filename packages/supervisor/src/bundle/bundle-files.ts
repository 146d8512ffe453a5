/** The runtime bundle's entrypoint: the loader that compiles the supervisor with its code cache. */
export const SUPERVISOR_LOADER_FILE = 'supervisor.cjs';
/** The supervisor itself, as one CommonJS file beside the loader. */
export const SUPERVISOR_MAIN_FILE = 'supervisor-main.cjs';
/** Its V8 code cache, written by the loader's {@link WRITE_CODE_CACHE_FLAG} when the bundle is built. */
export const SUPERVISOR_CODE_CACHE_FILE = 'supervisor-main.cjs.v8cache';
/** The loader's own first argument: run the supervisor, then write its code cache on exit. */
export const WRITE_CODE_CACHE_FLAG = '--write-code-cache';
/** node-pty's native addon, loaded from beside the supervisor. */
export const PTY_ADDON_FILE = 'pty.node';
