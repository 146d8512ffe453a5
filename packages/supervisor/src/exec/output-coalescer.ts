import type { OutputStream } from '../process/running-command.js';

/** Largest message we build; well under grpc-js's 4 MiB default receive limit. */
export const MAX_COALESCED_BYTES = 1024 * 1024;

/**
 * Joins the output chunks a command produced within one event-loop turn (node reads a pipe
 * 64 KiB at a time, several reads per turn when the command writes fast) into one message,
 * up to {@link MAX_COALESCED_BYTES}. Fewer, larger messages cut the per-message cost on every
 * hop (supervisor, gateway, client), which bounds exec output throughput. Order between
 * stdout and stderr is kept: a switch of stream flushes what was gathered first.
 */
export class OutputCoalescer {
  private stream: OutputStream | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly emit: (stream: OutputStream, data: Buffer) => void,
    private readonly maxBytes = MAX_COALESCED_BYTES,
  ) {}

  push(stream: OutputStream, chunk: Buffer): void {
    if (this.stream !== stream) this.flush();
    this.stream = stream;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= this.maxBytes) this.flush();
    else this.flushScheduled ??= setImmediate(() => this.flush());
  }

  /** Emits what was gathered now (before the exit message, say). */
  flush(): void {
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    const stream = this.stream;
    if (stream === undefined || this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    this.emit(stream, data);
  }
}
