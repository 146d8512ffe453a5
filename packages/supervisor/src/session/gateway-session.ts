import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { backoffDelayMs } from '@shellgate/driver-sdk/backoff';
import type { ExecStart, GatewayMessage, MainProcessExited, MainProcessStarted, SupervisorMessage, SupervisorSessionClient } from '@shellgate/api/session';
import type { LogQueue } from '../logging/log-queue.js';
import type { SupervisorLogger } from '../logging/supervisor-logger.js';
import { SUPERVISOR_VERSION } from '../version.js';
import { RECONNECT_BACKOFF, RESUME_BACKOFF } from './reconnect-backoff.js';

/** Used when a welcome carries no interval; the upstream supervisor heartbeat is 15 s. */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
/** Lines per `logs` message: large enough to amortise framing, small enough to stay well under 4 MB. */
const LOG_BATCH_MAX_LINES = 500;

export interface GatewaySessionOptions {
  readonly client: SupervisorSessionClient;
  readonly sandboxId: string;
  /** The sandbox JWT for each hello; throws while it cannot be had (logged, retried with backoff). */
  readonly takeToken: () => string;
  readonly logQueue: LogQueue;
  readonly logger: SupervisorLogger;
  readonly onExecStart: (start: ExecStart) => void;
  /** Random per supervisor process; a reconnect keeps it (session.proto, Hello.instance_id). */
  readonly instanceId?: string;
}

type SessionStream = ClientDuplexStream<SupervisorMessage, GatewayMessage>;

/** A main-process report and whether a stream has taken it yet; re-sent on a new session until one has. */
interface PendingReport {
  readonly message: SupervisorMessage;
  isWritten: boolean;
}

/**
 * The supervisor's one long-lived session with the gateway: hello/welcome, heartbeats, log
 * shipping, main-process reports and exec requests, reconnecting with capped jittered
 * backoff until closed. Once superseded (another session of the sandbox took over: a
 * session opened with the same token), it keeps asking to resume with a slower backoff and
 * `resume_only_if_free`, which the gateway grants as soon as that other session has ended.
 */
export class GatewaySession {
  readonly instanceId: string;
  #stream: SessionStream | undefined;
  #isWelcomed = false;
  #isWriteBlocked = false;
  #isFlushScheduled = false;
  #isClosed = false;
  #isSuperseded = false;
  readonly #reports: PendingReport[] = [];
  readonly #stopController = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(private readonly options: GatewaySessionOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
  }

  /** Starts connecting; returns at once. */
  start(): void {
    this.#loop ??= this.#runLoop();
  }

  reportMainProcessStarted(started: MainProcessStarted): void {
    this.#report({ payload: { $case: 'mainProcessStarted', mainProcessStarted: started } });
  }

  reportMainProcessExited(exited: MainProcessExited): void {
    this.#report({ payload: { $case: 'mainProcessExited', mainProcessExited: exited } });
  }

  /** Tells the gateway an exec could not even attach (session.proto, ExecRejected). */
  rejectExec(execId: string, message: string): void {
    if (this.#stream !== undefined && this.#isWelcomed) this.#stream.write({ payload: { $case: 'execRejected', execRejected: { execId, message } } });
  }

  /** New lines are in the queue: ship them soon (coalesced per event-loop turn). */
  notifyLogs(): void {
    if (this.#isFlushScheduled) return;
    this.#isFlushScheduled = true;
    setImmediate(() => {
      this.#isFlushScheduled = false;
      this.#flushLogs();
    });
  }

  /**
   * Waits until every report and queued log line has been handed to a stream, at most
   * `timeoutMs` (not at all while superseded: the session belongs to another supervisor
   * until it ends); the caller exits afterwards either way.
   */
  async waitForDelivery(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.#isSuperseded) {
      if (this.#isDelivered()) return true;
      await sleep(20);
    }
    return this.#isDelivered();
  }

  /** Ends the session and stops reconnecting. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#stopController.abort();
    this.#stream?.end();
    this.#stream?.cancel();
    await this.#loop;
  }

  #isDelivered(): boolean {
    return this.#reports.every((report) => report.isWritten) && this.options.logQueue.size === 0 && this.options.logQueue.droppedCount === 0;
  }

  #report(message: SupervisorMessage): void {
    const report: PendingReport = { message, isWritten: false };
    this.#reports.push(report);
    if (this.#stream !== undefined && this.#isWelcomed) this.#writeReport(this.#stream, report);
  }

  #writeReport(stream: SessionStream, report: PendingReport): void {
    stream.write(report.message, () => {
      if (stream === this.#stream) report.isWritten = true;
    });
  }

  async #runLoop(): Promise<void> {
    const logger = this.options.logger;
    let attempt = 0;
    while (!this.#isClosed) {
      const wasWelcomed = await this.#runOneSession();
      if (this.#isClosed) break;
      attempt = wasWelcomed ? 0 : attempt + 1;
      const delayMs = backoffDelayMs(attempt, this.#isSuperseded ? RESUME_BACKOFF : RECONNECT_BACKOFF);
      logger.debug(this.#isSuperseded ? 'asking to resume the session' : 'reconnecting to the gateway', { delayMs, attempt });
      try {
        await sleep(delayMs, undefined, { signal: this.#stopController.signal });
      } catch {
        break;
      }
    }
  }

  /** One Connect stream from hello to its end; resolves whether the gateway welcomed it. */
  #runOneSession(): Promise<boolean> {
    const { client, logger, sandboxId } = this.options;
    let token: string;
    try {
      token = this.options.takeToken();
    } catch (error) {
      logger.error((error as Error).message);
      return Promise.resolve(false);
    }
    const isResuming = this.#isSuperseded;
    const stream = client.connect();
    this.#stream = stream;
    this.#isWelcomed = false;
    this.#isWriteBlocked = false;
    let heartbeat: NodeJS.Timeout | undefined;
    let wasWelcomed = false;
    const hello = { sandboxId, instanceId: this.instanceId, token, supervisorVersion: SUPERVISOR_VERSION, resumeOnlyIfFree: isResuming };
    stream.write({ payload: { $case: 'hello', hello } });
    logger.debug('hello sent', { instanceId: this.instanceId, resumeOnlyIfFree: isResuming });

    return new Promise<boolean>((resolve) => {
      stream.on('data', (message: GatewayMessage) => {
        const payload = message.payload;
        if (payload?.$case === 'welcome') {
          const intervalMs = payload.welcome.heartbeatIntervalMs > 0 ? payload.welcome.heartbeatIntervalMs : DEFAULT_HEARTBEAT_INTERVAL_MS;
          wasWelcomed = true;
          this.#isWelcomed = true;
          this.#isSuperseded = false;
          logger.info(isResuming ? 'session resumed after the newer session ended' : 'session established', { sessionId: payload.welcome.sessionId, heartbeatIntervalMs: intervalMs });
          heartbeat = setInterval(() => stream.write({ payload: { $case: 'heartbeat', heartbeat: { sentAtMs: Date.now() } } }), intervalMs);
          for (const report of this.#reports) if (!report.isWritten) this.#writeReport(stream, report);
          this.#flushLogs();
        } else if (payload?.$case === 'execStart') {
          this.options.onExecStart(payload.execStart);
        } else if (payload?.$case === 'superseded') {
          this.#isSuperseded = true;
          logger.warn('session superseded by another session of this sandbox; resuming once it has ended', { reason: payload.superseded.message });
          stream.end();
        }
      });
      stream.on('error', (error: ServiceError) => {
        if (this.#isClosed || error.code === GrpcStatus.CANCELLED) return;
        // Refused while the newer session lives: expected, and asked again and again.
        if (isResuming && error.code === GrpcStatus.FAILED_PRECONDITION) {
          logger.debug('resume refused: another session of this sandbox is live', { details: error.details });
          return;
        }
        const level = error.code === GrpcStatus.UNAUTHENTICATED ? 'error' : 'warn';
        logger.log(level, 'session stream ended', { code: GrpcStatus[error.code], details: error.details });
      });
      stream.on('status', () => {
        clearInterval(heartbeat);
        if (this.#stream === stream) {
          this.#stream = undefined;
          this.#isWelcomed = false;
        }
        resolve(wasWelcomed);
      });
    });
  }

  #flushLogs(): void {
    const stream = this.#stream;
    if (stream === undefined || !this.#isWelcomed) return;
    while (!this.#isWriteBlocked && (this.options.logQueue.size > 0 || this.options.logQueue.droppedCount > 0)) {
      const lines = this.options.logQueue.takeBatch(LOG_BATCH_MAX_LINES);
      if (!stream.write({ payload: { $case: 'logs', logs: { lines } } })) {
        this.#isWriteBlocked = true;
        stream.once('drain', () => {
          if (this.#stream !== stream) return;
          this.#isWriteBlocked = false;
          this.#flushLogs();
        });
      }
    }
  }
}
