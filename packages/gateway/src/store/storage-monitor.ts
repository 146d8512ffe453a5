import { statfs } from 'node:fs/promises';
import { silentLogger, type Logger, type StorageFullError } from '@shellgate/driver-sdk';

/** What a store tells about its writes: the only way the gateway learns its disk is full. */
export interface StoreWriteObserver {
  onWriteSucceeded(): void;
  onStorageFull(error: StorageFullError): void;
}

/** The part of `fs.statfs` the probe reads: free blocks for unprivileged users, block size. */
export type StatfsFn = (path: string) => Promise<{ readonly bavail: number; readonly bsize: number }>;

export interface StorageMonitorOptions {
  /** A directory on the filesystem that holds the database; the probe asks about it. */
  readonly path: string;
  readonly logger?: Logger | undefined;
  /** Probe period while the storage is full, ms. Default 5000. */
  readonly probeIntervalMs?: number | undefined;
  /** Free bytes the probe must see before it calls the storage usable again. Default 1 MiB. */
  readonly minFreeBytes?: number | undefined;
  readonly statfs?: StatfsFn | undefined;
}

const DEFAULT_PROBE_INTERVAL_MS = 5_000;
const DEFAULT_MIN_FREE_BYTES = 1024 * 1024;

/**
 * Whether the gateway's storage can take writes. A write that fails for want of space marks
 * it full (Health then answers DEGRADED); the next write that succeeds, or a statfs probe
 * (every `probeIntervalMs`, only while full) seeing `minFreeBytes` free, marks it usable
 * again. The probe never marks it full by itself: root may still write into the blocks a
 * filesystem reserves, so little free space is not proof that writes fail.
 */
export class StorageMonitor implements StoreWriteObserver, Disposable {
  readonly #options: StorageMonitorOptions;
  readonly #logger: Logger;
  readonly #statfs: StatfsFn;
  #problem: StorageFullError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #isProbing = false;

  constructor(options: StorageMonitorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#statfs = options.statfs ?? ((path) => statfs(path));
  }

  /** The write failure that made the storage full; undefined while writes work. */
  get problem(): StorageFullError | undefined {
    return this.#problem;
  }

  get isFull(): boolean {
    return this.#problem !== undefined;
  }

  onWriteSucceeded(): void {
    if (this.#problem !== undefined) this.#recover('a write succeeded');
  }

  onStorageFull(error: StorageFullError): void {
    if (this.#problem === undefined) {
      this.#logger.error('storage is full: writes fail and Health answers DEGRADED until there is room again', {
        path: error.path,
        error: error.message,
        hint: error.hint,
      });
      const intervalMs = this.#options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
      this.#timer = setInterval(() => void this.probe(), intervalMs);
      this.#timer.unref();
    }
    this.#problem = error;
  }

  /** One statfs of the storage while it is full; resolves true when it is usable again. */
  async probe(): Promise<boolean> {
    if (this.#problem === undefined) return true;
    if (this.#isProbing) return false;
    this.#isProbing = true;
    try {
      const stats = await this.#statfs(this.#options.path);
      const freeBytes = stats.bavail * stats.bsize;
      if (this.#problem === undefined) return true;
      if (freeBytes < (this.#options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES)) return false;
      this.#recover(`${freeBytes} bytes are free`);
      return true;
    } catch (error) {
      this.#logger.debug('storage probe failed', { path: this.#options.path, error: String(error) });
      return false;
    } finally {
      this.#isProbing = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #recover(reason: string): void {
    this.#logger.info('storage takes writes again; Health no longer degraded by it', { path: this.#problem?.path, reason });
    this.#problem = undefined;
    this.close();
  }
}
