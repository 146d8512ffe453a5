import { LOG_ORIGIN_FIELD, LogOrigin, LogSource } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';

/** Default capacity: enough for a burst while the gateway restarts, small enough to bound memory. */
export const DEFAULT_LOG_QUEUE_CAPACITY = 10_000;

/**
 * Log lines waiting for the gateway, in a fixed-size ring: when full, the oldest line is
 * dropped and counted, so a long disconnect costs bounded memory and the gateway learns how
 * much it missed (one warning line, see {@link LogQueue.takeBatch}).
 */
export class LogQueue {
  readonly #ring: (LogLine | undefined)[];
  #head = 0;
  #size = 0;
  #droppedCount = 0;

  constructor(readonly capacity: number = DEFAULT_LOG_QUEUE_CAPACITY) {
    this.#ring = new Array<LogLine | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Lines dropped since the last batch reported them. */
  get droppedCount(): number {
    return this.#droppedCount;
  }

  push(line: LogLine): void {
    if (this.#size === this.capacity) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#size -= 1;
      this.#droppedCount += 1;
    }
    this.#ring[(this.#head + this.#size) % this.capacity] = line;
    this.#size += 1;
  }

  /**
   * Removes up to `maxLines` of the oldest lines. When lines were dropped since the last batch,
   * the batch starts with one supervisor warning that says how many.
   */
  takeBatch(maxLines: number, now: number = Date.now()): LogLine[] {
    const batch: LogLine[] = [];
    if (this.#droppedCount > 0) {
      batch.push({
        timestampMs: now,
        level: 'WARN',
        source: LogSource.Sandbox,
        target: 'logs',
        message: `dropped ${this.#droppedCount} log lines: the queue for the gateway was full (capacity ${this.capacity})`,
        fields: { dropped: String(this.#droppedCount), [LOG_ORIGIN_FIELD]: LogOrigin.Supervisor },
      });
      this.#droppedCount = 0;
    }
    while (batch.length < maxLines && this.#size > 0) {
      const line = this.#ring[this.#head];
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#size -= 1;
      if (line !== undefined) batch.push(line);
    }
    return batch;
  }
}
