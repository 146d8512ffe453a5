import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metadata, Server, ServerCredentials, status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import { SupervisorSessionService, type ExecExit, type ExecFromSupervisor, type ExecStart, type ExecToSupervisor, type GatewayMessage, type Hello, type SupervisorMessage } from '@shellgate/api/session';

/** One Connect stream as the fake gateway saw it. */
export interface FakeSession {
  readonly id: string;
  readonly hello: Hello;
  readonly messages: SupervisorMessage[];
  readonly stream: ServerDuplexStream<SupervisorMessage, GatewayMessage>;
  isEnded: boolean;
}

/** One Exec stream: what came back for an `exec_start` the test sent. */
export class FakeExec {
  readonly stdout: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  exit: ExecExit | undefined;
  attachToken: string | undefined;
  stream: ServerDuplexStream<ExecFromSupervisor, ExecToSupervisor> | undefined;
  readonly #attached: Promise<void>;
  #onAttached: () => void = () => undefined;
  readonly #done: Promise<ExecExit>;
  #onDone: (exit: ExecExit) => void = () => undefined;

  constructor(readonly execId: string) {
    this.#attached = new Promise((resolve) => (this.#onAttached = resolve));
    this.#done = new Promise((resolve) => (this.#onDone = resolve));
  }

  get stdoutText(): string {
    return Buffer.concat(this.stdout).toString('utf8');
  }
  get stderrText(): string {
    return Buffer.concat(this.stderr).toString('utf8');
  }

  async attached(): Promise<void> {
    await this.#attached;
  }
  async done(): Promise<ExecExit> {
    return this.#done;
  }
  send(message: ExecToSupervisor['payload']): void {
    this.stream?.write({ payload: message });
  }

  /** @internal */
  bind(stream: ServerDuplexStream<ExecFromSupervisor, ExecToSupervisor>, token: string): void {
    this.stream = stream;
    this.attachToken = token;
    this.#onAttached();
  }
  /** @internal */
  receive(message: ExecFromSupervisor): void {
    const payload = message.payload;
    if (payload?.$case === 'stdout') this.stdout.push(payload.stdout);
    else if (payload?.$case === 'stderr') this.stderr.push(payload.stderr);
    else if (payload?.$case === 'exit') {
      this.exit = payload.exit;
      this.#onDone(payload.exit);
    }
  }
}

/**
 * An in-process gateway for supervisor tests: serves SupervisorSession on 127.0.0.1, answers
 * hello with welcome, records everything, and lets a test send exec_start / superseded.
 */
export class FakeGateway {
  readonly sessions: FakeSession[] = [];
  readonly execs = new Map<string, FakeExec>();
  /** Unmatched Exec attaches (unknown exec ids). */
  readonly strayAttaches: string[] = [];
  /** While true, a hello with resume_only_if_free is refused (FAILED_PRECONDITION), as while another session is live. */
  isSessionTaken = false;
  /** Hellos refused while {@link isSessionTaken}. */
  readonly refusedHellos: Hello[] = [];
  #server: Server | undefined;
  #port = 0;

  constructor(private readonly heartbeatIntervalMs = 200) {}

  get port(): number {
    return this.#port;
  }
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens on `port` (0: any free port; pass the old port to restart in place). */
  async start(port = this.#port): Promise<void> {
    const server = new Server();
    server.addService(SupervisorSessionService, {
      connect: (stream: ServerDuplexStream<SupervisorMessage, GatewayMessage>) => this.#onConnect(stream),
      exec: (stream: ServerDuplexStream<ExecFromSupervisor, ExecToSupervisor>) => this.#onExec(stream),
    });
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
    );
    this.#server = server;
  }

  /** Drops every connection at once, as a crashed gateway would. */
  stop(): void {
    this.#server?.forceShutdown();
    this.#server = undefined;
  }

  get lastSession(): FakeSession | undefined {
    return this.sessions.at(-1);
  }

  /** All messages of one kind across sessions, in arrival order. */
  messagesOf<K extends NonNullable<SupervisorMessage['payload']>['$case']>(kind: K): Extract<NonNullable<SupervisorMessage['payload']>, { $case: K }>[] {
    return this.sessions.flatMap((session) => session.messages.map((message) => message.payload).filter((payload): payload is Extract<NonNullable<SupervisorMessage['payload']>, { $case: K }> => payload?.$case === kind));
  }

  /** Every log line received, flattened. */
  logLines(): { source: string; level: string; message: string; target: string; fields: Record<string, string> }[] {
    return this.messagesOf('logs').flatMap((payload) => payload.logs.lines);
  }

  /** Sends exec_start on the newest session and returns the handle its Exec stream will fill. */
  startExec(request: Partial<ExecStart> & { command: string[] }): FakeExec {
    const session = this.lastSession;
    if (session === undefined) throw new Error('no supervisor session to send exec_start on');
    const execId = request.execId ?? randomUUID();
    const exec = new FakeExec(execId);
    this.execs.set(execId, exec);
    session.stream.write({
      payload: {
        $case: 'execStart',
        execStart: { execId, workdir: '', environment: {}, timeoutSeconds: 0, tty: false, cols: 0, rows: 0, ...request },
      },
    });
    return exec;
  }

  supersede(session: FakeSession, message = 'a newer supervisor connected'): void {
    session.stream.write({ payload: { $case: 'superseded', superseded: { message } } });
    session.stream.end();
  }

  /** Polls `predicate` every 10 ms until it holds or `timeoutMs` passes (then throws with `what`). */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(10);
    }
  }

  #onConnect(stream: ServerDuplexStream<SupervisorMessage, GatewayMessage>): void {
    let session: FakeSession | undefined;
    stream.on('data', (message: SupervisorMessage) => {
      if (session === undefined) {
        if (message.payload?.$case !== 'hello') {
          stream.destroy(new Error('first message must be hello'));
          return;
        }
        if (this.isSessionTaken && message.payload.hello.resumeOnlyIfFree) {
          this.refusedHellos.push(message.payload.hello);
          stream.emit('error', Object.assign(new Error('another session is live'), { code: GrpcStatus.FAILED_PRECONDITION, details: 'another session is live', metadata: new Metadata() }));
          return;
        }
        session = { id: randomUUID(), hello: message.payload.hello, messages: [], stream, isEnded: false };
        this.sessions.push(session);
        stream.write({ payload: { $case: 'welcome', welcome: { sessionId: session.id, heartbeatIntervalMs: this.heartbeatIntervalMs } } });
        return;
      }
      session.messages.push(message);
    });
    stream.on('error', () => undefined);
    stream.on('end', () => {
      if (session !== undefined) session.isEnded = true;
      stream.end();
    });
  }

  #onExec(stream: ServerDuplexStream<ExecFromSupervisor, ExecToSupervisor>): void {
    let exec: FakeExec | undefined;
    stream.on('data', (message: ExecFromSupervisor) => {
      if (exec !== undefined) {
        exec.receive(message);
        return;
      }
      if (message.payload?.$case !== 'attach') return;
      exec = this.execs.get(message.payload.attach.execId);
      if (exec === undefined) {
        this.strayAttaches.push(message.payload.attach.execId);
        stream.end();
        return;
      }
      exec.bind(stream, message.payload.attach.token);
    });
    stream.on('error', () => undefined);
    stream.on('end', () => stream.end());
  }
}
