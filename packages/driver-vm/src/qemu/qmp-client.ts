import { EventEmitter, once } from 'node:events';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';

/** An asynchronous QMP event (`SHUTDOWN`, `STOP`, `RESUME`...). */
export interface QmpEvent {
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** QMP answered a command with an error, or the connection failed. */
export class QmpError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QmpError';
  }
}

interface PendingCommand {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A QMP line longer than this is not QEMU talking: the connection is dropped. */
const MAX_LINE_CHARS = 1024 * 1024;

/**
 * A QMP connection to one QEMU over its Unix socket (`-qmp`): capabilities negotiated on
 * connect, commands answered in order by id, events emitted as `event`, and `close` once
 * the socket ends, which is also how a VM we are no longer the parent of is seen to exit.
 */
export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  readonly #socket: Socket;
  readonly #pending = new Map<number, PendingCommand>();
  #nextId = 1;
  #buffer = '';
  #isClosed = false;
  /** Settles with the first message, which QEMU sends unasked: the greeting. */
  #greeting: { promise: Promise<Record<string, unknown>>; resolve?: (message: Record<string, unknown>) => void; reject?: (error: Error) => void };

  private constructor(socket: Socket) {
    super();
    this.#socket = socket;
    this.#greeting = { promise: Promise.resolve({}) };
    this.#greeting.promise = new Promise((resolve, reject) => Object.assign(this.#greeting, { resolve, reject }));
    this.#greeting.promise.catch(() => undefined);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#onClose());
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * Connects, reads the greeting and leaves capabilities negotiation mode.
   * @throws QmpError when the socket does not answer as QMP within `timeoutMs`.
   */
  static async connect(path: string, timeoutMs: number): Promise<QmpClient> {
    const socket = createConnection(path);
    const timer = setTimeout(() => socket.destroy(new QmpError(`QMP on ${path} did not greet within ${timeoutMs} ms`)), timeoutMs);
    try {
      await once(socket, 'connect');
      const client = new QmpClient(socket);
      const greeting = await client.#greeting.promise;
      if (!('QMP' in greeting)) throw new QmpError(`${path} did not greet as QMP`);
      await client.execute('qmp_capabilities');
      return client;
    } catch (error) {
      socket.destroy();
      throw error instanceof QmpError ? error : new QmpError(`cannot connect to QMP on ${path}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a QMP command and resolves with its `return` value. */
  execute(command: string, args?: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (this.#isClosed) return Promise.reject(new QmpError(`QMP connection closed before ${command}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.write(`${JSON.stringify({ execute: command, ...(args === undefined ? {} : { arguments: args }), id })}\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    if (this.#buffer.length > MAX_LINE_CHARS) {
      this.#socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line !== '') this.#onMessage(line);
    }
  }

  #onMessage(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const onGreeting = this.#greeting.resolve;
    if (onGreeting !== undefined) {
      this.#greeting.resolve = undefined;
      onGreeting(message);
      return;
    }
    if (typeof message.event === 'string') {
      this.emit('event', { event: message.event, data: (message.data ?? {}) as Record<string, unknown> });
      return;
    }
    const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
    if (pending === undefined) return;
    this.#pending.delete(message.id as number);
    if ('error' in message) {
      const error = message.error as { class?: string; desc?: string };
      pending.reject(new QmpError(`QMP error ${error.class ?? ''}: ${error.desc ?? 'unknown'}`));
    } else {
      pending.resolve(message.return);
    }
  }

  #onClose(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#greeting.reject?.(new QmpError('QMP connection closed before the greeting'));
    this.#greeting.resolve = undefined;
    for (const pending of this.#pending.values()) pending.reject(new QmpError('QMP connection closed'));
    this.#pending.clear();
    this.emit('close');
  }
}
