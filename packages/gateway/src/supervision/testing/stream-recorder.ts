import type { status as GrpcStatus } from '@grpc/grpc-js';

/** How a client stream ended. */
export interface EndedStatus {
  readonly code: GrpcStatus;
  readonly details: string;
}

/** The readable side of any grpc-js client stream. */
interface ClientReadable<T> {
  on(event: 'data', listener: (message: T) => void): unknown;
  on(event: 'status', listener: (status: EndedStatus) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Records what a client stream receives and how it ends, and lets a test wait for a
 * message it expects. Every wait also ends when the stream does, so a test fails with
 * the stream's status instead of hanging.
 */
export class StreamRecorder<T> {
  readonly messages: T[] = [];
  readonly ended: Promise<EndedStatus>;
  private endedStatus: EndedStatus | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(stream: ClientReadable<T>) {
    stream.on('data', (message: T) => {
      this.messages.push(message);
      this.wake();
    });
    this.ended = new Promise((resolve) => {
      stream.on('status', (status: EndedStatus) => {
        this.endedStatus = { code: status.code, details: status.details };
        resolve(this.endedStatus);
        this.wake();
      });
    });
    stream.on('error', () => undefined);
  }

  /** The first recorded message `pick` accepts (waiting for it); rejects if the stream ends first. */
  async waitFor<R>(pick: (message: T) => R | undefined, what = 'a message'): Promise<R> {
    for (;;) {
      for (const message of this.messages) {
        const picked = pick(message);
        if (picked !== undefined) return picked;
      }
      if (this.endedStatus !== undefined) {
        throw new Error(`stream ended (${this.endedStatus.code}: ${this.endedStatus.details}) before ${what}`);
      }
      await new Promise<void>((resolve) => {
        const waiter = (): void => {
          this.waiters.delete(waiter);
          resolve();
        };
        this.waiters.add(waiter);
      });
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
