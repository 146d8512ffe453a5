import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { ComputeDriverService, WatchSandboxesEvent } from '../gen/compute_driver.js';

type RawUnaryMethod = 'getSandbox' | 'listSandboxes';

/**
 * Calls a driver and keeps every answer as the bytes that crossed the wire, for checks
 * about the encoding itself (a secret must appear in no field, known to us or not). The
 * typed `DriverClient` decodes, and decoding drops fields this SDK does not know.
 */
export class RawDriverClient {
  readonly #client: Client;
  readonly #timeoutMs: number;

  constructor(socketPath: string, timeoutMs: number) {
    this.#client = new Client(`unix://${socketPath}`, credentials.createInsecure());
    this.#timeoutMs = timeoutMs;
  }

  /** One unary call; resolves with the encoded response message. */
  unary(method: RawUnaryMethod, request: object): Promise<Buffer> {
    const definition = ComputeDriverService[method];
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize as (value: object) => Buffer,
        (bytes: Buffer) => bytes,
        request,
        new Metadata(),
        { deadline: Date.now() + this.#timeoutMs },
        (error, response) => {
          if (error === null && response !== undefined) resolve(response);
          else reject(new Error(`${definition.path} failed: ${error?.message ?? 'no response'}`));
        },
      );
    });
  }

  /**
   * Opens a `WatchSandboxes` stream and collects its encoded events until one is a
   * `sandbox` event for `sandboxId`, then cancels the stream and resolves with them all.
   * Aborting `signal` cancels the stream and rejects.
   */
  watchUntilSandbox(sandboxId: string, signal?: AbortSignal): Promise<Buffer[]> {
    const definition = ComputeDriverService.watchSandboxes;
    const call = this.#client.makeServerStreamRequest(
      definition.path,
      definition.requestSerialize,
      (bytes: Buffer) => bytes,
      {},
      new Metadata(),
    );
    const frames: Buffer[] = [];
    let isDone = false;
    return new Promise<Buffer[]>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no sandbox event for ${sandboxId} on a new watch within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      const onAbort = (): void => finish(new Error('the watch was cancelled'));
      // Cancelling makes the stream emit its own error; only the first outcome counts.
      const finish = (error?: Error): void => {
        if (isDone) return;
        isDone = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        call.cancel();
        if (error === undefined) resolve(frames);
        else reject(error);
      };
      call.on('data', (frame: Buffer) => {
        frames.push(frame);
        let payload: WatchSandboxesEvent['payload'];
        try {
          payload = WatchSandboxesEvent.decode(frame).payload;
        } catch (error) {
          return finish(new Error(`a WatchSandboxes event does not decode: ${error instanceof Error ? error.message : String(error)}`));
        }
        if (payload?.$case === 'sandbox' && payload.sandbox.sandbox?.id === sandboxId) finish();
      });
      call.on('error', (error: Error) => finish(new Error(`${definition.path} failed: ${error.message}`)));
      call.on('end', () => finish(new Error(`the driver ended the watch before a sandbox event for ${sandboxId}`)));
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.#client.close();
  }
}
