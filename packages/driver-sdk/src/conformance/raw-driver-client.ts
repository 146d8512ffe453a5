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
   */
  watchUntilSandbox(sandboxId: string): Promise<Buffer[]> {
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
      // Cancelling makes the stream emit its own error; only the first outcome counts.
      const finish = (error?: Error): void => {
        if (isDone) return;
        isDone = true;
        clearTimeout(timer);
        call.cancel();
        if (error === undefined) resolve(frames);
        else reject(error);
      };
      call.on('data', (frame: Buffer) => {
        frames.push(frame);
        const payload = WatchSandboxesEvent.decode(frame).payload;
        if (payload?.$case === 'sandbox' && payload.sandbox.sandbox?.id === sandboxId) finish();
      });
      call.on('error', (error: Error) => finish(new Error(`${definition.path} failed: ${error.message}`)));
      call.on('end', () => finish(new Error(`the driver ended the watch before a sandbox event for ${sandboxId}`)));
    });
  }

  close(): void {
    this.#client.close();
  }
}
