export { PollingWatchSource, isSameSandboxState, systemTimers } from './polling-watch-source.js';
export type { PollingTimers, PollingWatchSourceOptions } from './polling-watch-source.js';
export { DEFAULT_WATCH_BUFFER_SIZE, WatchHub } from './watch-hub.js';
export type { WatchHubOptions } from './watch-hub.js';
