import type { ClientDuplexStream } from '@grpc/grpc-js';
import {
  Hello,
  LogLine,
  type ExecFromSupervisor,
  type ExecStart,
  type ExecToSupervisor,
  type GatewayMessage,
  type SupervisorMessage,
  type SupervisorSessionClient,
  type Welcome,
} from '@shellgate/api/session';
import { StreamRecorder } from './stream-recorder.js';

/**
 * A supervisor for tests: a real grpc-js SupervisorSessionClient speaking the session
 * protocol to the real service over loopback, driven step by step by the test.
 */
export class FakeSupervisor {
  readonly recorder: StreamRecorder<GatewayMessage>;

  private constructor(
    private readonly client: SupervisorSessionClient,
    private readonly stream: ClientDuplexStream<SupervisorMessage, GatewayMessage>,
    readonly sandboxId: string,
    readonly token: string,
  ) {
    this.recorder = new StreamRecorder(stream);
  }

  /** Opens Connect and sends hello (it does not wait for the answer). */
  static connect(client: SupervisorSessionClient, hello: Partial<Hello> & { sandboxId: string; token: string }): FakeSupervisor {
    const stream = client.connect();
    const supervisor = new FakeSupervisor(client, stream, hello.sandboxId, hello.token);
    supervisor.send({ $case: 'hello', hello: Hello.fromPartial({ instanceId: 'instance-1', supervisorVersion: '0.0.0-test', ...hello }) });
    return supervisor;
  }

  get ended(): StreamRecorder<GatewayMessage>['ended'] {
    return this.recorder.ended;
  }

  async welcome(): Promise<Welcome> {
    return this.recorder.waitFor((m) => (m.payload?.$case === 'welcome' ? m.payload.welcome : undefined), 'welcome');
  }

  /** The `index`-th exec_start received (0 = the first). */
  async execStart(index = 0): Promise<ExecStart> {
    return this.recorder.waitFor((m) => {
      if (m.payload?.$case !== 'execStart') return undefined;
      const starts = this.recorder.messages.filter((x) => x.payload?.$case === 'execStart');
      const wanted = starts[index];
      return wanted?.payload?.$case === 'execStart' ? wanted.payload.execStart : undefined;
    }, `exec_start #${index}`);
  }

  send(payload: SupervisorMessage['payload']): void {
    this.stream.write({ payload });
  }

  sendLogs(lines: Partial<LogLine>[]): void {
    this.send({ $case: 'logs', logs: { lines: lines.map((line) => LogLine.fromPartial({ level: 'info', source: 'main', ...line })) } });
  }

  /** Half-closes the session (a clean end from the supervisor's side). */
  end(): void {
    this.stream.end();
  }

  cancel(): void {
    this.stream.cancel();
  }

  /** Opens an Exec stream and sends attach (with this supervisor's token unless one is given). */
  attach(execId: string, overrides: { sandboxId?: string; token?: string } = {}): FakeExecStream {
    const stream = this.client.exec();
    stream.write({
      payload: { $case: 'attach', attach: { execId, sandboxId: overrides.sandboxId ?? this.sandboxId, token: overrides.token ?? this.token } },
    });
    return new FakeExecStream(stream);
  }
}

/** The supervisor's side of one exec. */
export class FakeExecStream {
  readonly recorder: StreamRecorder<ExecToSupervisor>;

  constructor(readonly stream: ClientDuplexStream<ExecFromSupervisor, ExecToSupervisor>) {
    this.recorder = new StreamRecorder(stream);
  }

  get ended(): StreamRecorder<ExecToSupervisor>['ended'] {
    return this.recorder.ended;
  }

  /** Queues one message; false when the stream's buffer is full. */
  send(payload: ExecFromSupervisor['payload']): boolean {
    return this.stream.write({ payload });
  }

  stdout(text: string | Buffer): boolean {
    return this.send({ $case: 'stdout', stdout: Buffer.from(text) });
  }

  stderr(text: string): boolean {
    return this.send({ $case: 'stderr', stderr: Buffer.from(text) });
  }

  exit(exitCode: number): void {
    this.send({ $case: 'exit', exit: { exitCode, signal: '', timedOut: false } });
    this.stream.end();
  }

  /** Everything the gateway sent on this stream, by kind, in order. */
  received(): string[] {
    return this.recorder.messages.map((m) => {
      const p = m.payload;
      if (p?.$case === 'stdin') return `stdin:${p.stdin.toString()}`;
      if (p?.$case === 'resize') return `resize:${p.resize.cols}x${p.resize.rows}`;
      return p?.$case ?? 'empty';
    });
  }
}
