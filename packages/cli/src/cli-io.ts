/** Somewhere text goes: stdout or stderr in the binary, a buffer in tests. */
export interface TextSink {
  write(text: string): void;
}

/** Wall-clock time for display (timestamps, AGE); injected so output is testable. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
