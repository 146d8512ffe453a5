import type { SandboxLogLine } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';
import { logLineBytes, toBoundedLogLine } from './bounded-log-line.js';

export type SandboxLogListener = (lines: readonly SandboxLogLine[]) => void;

/** How much one sandbox's buffer holds: whichever bound is reached first drops the oldest lines. */
export interface LogBufferCapacity {
  /** Lines held per sandbox (config `sandbox_log_buffer_lines`). */
  readonly lines: number;
  /** Bytes held per sandbox, as `logLineBytes` counts them (config `sandbox_log_buffer_bytes`). */
  readonly bytes: number;
}

/** A queue of log lines bounded in count and bytes: pushing past either bound drops the oldest. */
class LogBuffer {
  private slots: SandboxLogLine[] = [];
  private sizes: number[] = [];
  private start = 0;
  private bytes = 0;

  constructor(private readonly capacity: LogBufferCapacity) {}

  get size(): number {
    return this.slots.length - this.start;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  push(line: SandboxLogLine): void {
    const cost = logLineBytes(line);
    this.slots.push(line);
    this.sizes.push(cost);
    this.bytes += cost;
    while (this.size > this.capacity.lines || (this.bytes > this.capacity.bytes && this.size > 1)) {
      this.bytes -= this.sizes[this.start] ?? 0;
      this.start += 1;
    }
    // Compact once the dropped head is as large as what is held, so pushes stay O(1) amortised.
    if (this.start > 1024 && this.start * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }

  /** Oldest first. */
  toArray(): SandboxLogLine[] {
    return this.slots.slice(this.start);
  }
}

/**
 * The recent log lines of every sandbox, in memory: a bounded buffer per sandbox (the
 * oldest lines are dropped), plus live delivery to followers (WatchSandbox follow_logs).
 * Lines come only from a sandbox's own supervisor session; the caller names the sandbox,
 * so a payload cannot write into another sandbox's buffer.
 */
export class SandboxLogStore {
  private readonly buffers = new Map<string, LogBuffer>();
  private readonly listeners = new Map<string, Set<SandboxLogListener>>();

  constructor(
    readonly capacity: LogBufferCapacity,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Stores a batch from the supervisor of `sandboxId` and hands it to followers. */
  append(sandboxId: string, lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    let ring = this.buffers.get(sandboxId);
    if (ring === undefined) {
      ring = new LogBuffer(this.capacity);
      this.buffers.set(sandboxId, ring);
    }
    const received = this.nowMs();
    const stored = lines.map((line) => toBoundedLogLine(sandboxId, line, received));
    for (const line of stored) ring.push(line);
    for (const listener of this.listeners.get(sandboxId) ?? []) listener(stored);
  }

  /** Every held line of a sandbox, oldest first. */
  held(sandboxId: string): SandboxLogLine[] {
    return this.buffers.get(sandboxId)?.toArray() ?? [];
  }

  /** How many lines are held for a sandbox (at most `capacity.lines`). */
  heldCount(sandboxId: string): number {
    return this.buffers.get(sandboxId)?.size ?? 0;
  }

  /** Bytes held for a sandbox (at most `capacity.bytes`, or one line over it). */
  heldBytes(sandboxId: string): number {
    return this.buffers.get(sandboxId)?.heldBytes ?? 0;
  }

  /** Calls `listener` with every later batch of `sandboxId`; returns the unsubscribe. */
  follow(sandboxId: string, listener: SandboxLogListener): () => void {
    let set = this.listeners.get(sandboxId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(sandboxId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sandboxId);
    };
  }

  /** Whether any lines of the sandbox are held here. */
  holds(sandboxId: string): boolean {
    return this.buffers.has(sandboxId);
  }

  /** Forgets a deleted sandbox's lines. */
  drop(sandboxId: string): void {
    this.buffers.delete(sandboxId);
  }
}
