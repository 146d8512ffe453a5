export { EVENT_STREAM_BACKOFF, EventStreamWatchSource } from './event-stream-watch-source.js';
export type { EventStreamAdapter, EventStreamWatchSourceOptions, SandboxChange } from './event-stream-watch-source.js';
export { isSameSandboxState } from './is-same-sandbox-state.js';
export { PollingWatchSource, systemTimers } from './polling-watch-source.js';
export type { PollingTimers, PollingWatchSourceOptions } from './polling-watch-source.js';
export { SandboxTracker } from './sandbox-tracker.js';
export type { SandboxPublisher, SandboxTrackerOptions } from './sandbox-tracker.js';
export { DEFAULT_WATCH_BUFFER_SIZE, WatchHub } from './watch-hub.js';
export type { WatchHubOptions } from './watch-hub.js';
