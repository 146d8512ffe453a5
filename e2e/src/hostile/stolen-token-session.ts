// A supervisor session opened by an attacker holding a sandbox's token: hello with it, then
// report whatever it likes. The gateway must not let it fail the sandbox or keep the real
// supervisor out once it is gone.
import { credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { SupervisorSessionClient, type GatewayMessage, type LogLine, type SupervisorMessage } from '@shellgate/api/session';

const WELCOME_TIMEOUT_MS = 10_000;

export class StolenTokenSession {
  readonly messages: GatewayMessage[] = [];
  #ended = false;

  private constructor(
    private readonly client: SupervisorSessionClient,
    private readonly stream: ClientDuplexStream<SupervisorMessage, GatewayMessage>,
  ) {
    stream.on('data', (message: GatewayMessage) => this.messages.push(message));
    stream.on('error', () => undefined);
    stream.on('status', () => (this.#ended = true));
  }

  /** Opens Connect at `address` and says hello for `sandboxId` with `token` as supervisor instance `instanceId`. */
  static open(address: string, sandboxId: string, token: string, instanceId: string): StolenTokenSession {
    const client = new SupervisorSessionClient(address, credentials.createInsecure());
    const session = new StolenTokenSession(client, client.connect());
    session.stream.write({ payload: { $case: 'hello', hello: { sandboxId, instanceId, token, supervisorVersion: 'attacker', resumeOnlyIfFree: false } } });
    return session;
  }

  /** Resolves once welcomed; rejects when the stream ends first or after 10 s. */
  async welcome(): Promise<void> {
    const deadline = Date.now() + WELCOME_TIMEOUT_MS;
    while (!this.messages.some((message) => message.payload?.$case === 'welcome')) {
      if (this.#ended || Date.now() > deadline) throw new Error(`the stolen-token session was not welcomed (ended: ${this.#ended})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Whether the gateway told it another session took over. */
  get isSuperseded(): boolean {
    return this.messages.some((message) => message.payload?.$case === 'superseded');
  }

  /** A fake report that the sandbox's main process exited. */
  reportMainProcessExited(exitCode: number): void {
    this.stream.write({ payload: { $case: 'mainProcessExited', mainProcessExited: { exitCode, signal: '' } } });
  }

  /** Pushes one batch of log lines as the sandbox's supervisor would. */
  sendLogs(lines: readonly LogLine[]): void {
    this.stream.write({ payload: { $case: 'logs', logs: { lines: [...lines] } } });
  }

  /** Ends the session and closes the channel. */
  end(): void {
    this.stream.end();
    this.stream.cancel();
    this.client.close();
  }
}
