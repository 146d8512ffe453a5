import type { SandboxLogLine } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';

/** Longest message kept per log line, in characters; longer ones are cut (like driver log lines). */
export const MAX_LOG_MESSAGE_CHARS = 16 * 1024;

export type SandboxLogListener = (lines: readonly SandboxLogLine[]) => void;

/** A fixed-size ring of log lines: pushing into a full ring drops the oldest. */
class LogRing {
  private readonly slots: SandboxLogLine[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.slots.length;
  }

  push(line: SandboxLogLine): void {
    if (this.slots.length < this.capacity) {
      this.slots.push(line);
      return;
    }
    this.slots[this.start] = line;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): SandboxLogLine[] {
    return [...this.slots.slice(this.start), ...this.slots.slice(0, this.start)];
  }
}

/**
 * The recent log lines of every sandbox, in memory: a bounded buffer per sandbox (the
 * oldest lines are dropped), plus live delivery to followers (WatchSandbox follow_logs).
 * Lines come only from a sandbox's own supervisor session; the caller names the sandbox,
 * so a payload cannot write into another sandbox's buffer.
 */
export class SandboxLogStore {
  private readonly buffers = new Map<string, LogRing>();
  private readonly listeners = new Map<string, Set<SandboxLogListener>>();

  /** `capacityLines`: lines held per sandbox (config `sandbox_log_buffer_lines`). */
  constructor(
    readonly capacityLines: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Stores a batch from the supervisor of `sandboxId` and hands it to followers. */
  append(sandboxId: string, lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    let ring = this.buffers.get(sandboxId);
    if (ring === undefined) {
      ring = new LogRing(this.capacityLines);
      this.buffers.set(sandboxId, ring);
    }
    const received = this.nowMs();
    const stored = lines.map((line) => toSandboxLogLine(sandboxId, line, received));
    for (const line of stored) ring.push(line);
    for (const listener of this.listeners.get(sandboxId) ?? []) listener(stored);
  }

  /** Every held line of a sandbox, oldest first. */
  held(sandboxId: string): SandboxLogLine[] {
    return this.buffers.get(sandboxId)?.toArray() ?? [];
  }

  /** How many lines are held for a sandbox (at most `capacityLines`). */
  heldCount(sandboxId: string): number {
    return this.buffers.get(sandboxId)?.size ?? 0;
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

  /** Forgets a deleted sandbox's lines. */
  drop(sandboxId: string): void {
    this.buffers.delete(sandboxId);
  }
}

function toSandboxLogLine(sandboxId: string, line: LogLine, receivedMs: number): SandboxLogLine {
  return {
    sandboxId,
    // A supervisor without a usable clock sends 0; the arrival time is the best we know.
    timestampMs: line.timestampMs > 0 ? line.timestampMs : receivedMs,
    level: line.level.toLowerCase(),
    target: line.target,
    message: line.message.length > MAX_LOG_MESSAGE_CHARS ? `${line.message.slice(0, MAX_LOG_MESSAGE_CHARS)}…` : line.message,
    source: line.source,
    fields: { ...line.fields },
  };
}
