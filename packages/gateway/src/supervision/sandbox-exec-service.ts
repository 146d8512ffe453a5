import type { ServerDuplexStream, ServerWritableStream } from '@grpc/grpc-js';
import { SandboxPhase, type ExecSandboxEvent, type ExecSandboxInput, type ExecSandboxRequest } from '@shellgate/api';
import { ErrorCode, ShellgateError, silentLogger, type Logger } from '@shellgate/driver-sdk';
import { describePhase } from '../sandboxes/index.js';
import type { GatewayStore, SandboxRecord } from '../store/index.js';
import { ExecSessionLostError, SandboxNotExecutableError } from './errors.js';
import type { ExecBroker } from './exec-broker.js';
import { ExecRelay, type ExecEventSink } from './exec-relay.js';
import { parseExecRequest } from './exec-request.js';
import { resolveSandboxReference } from './resolve-sandbox.js';
import type { SupervisorConnection } from './supervisor-connection.js';
import type { RemoteSessions } from './remote-sessions.js';
import type { SupervisorHub } from './supervisor-hub.js';

export interface SandboxExecServiceOptions {
  readonly store: GatewayStore;
  readonly hub: SupervisorHub;
  readonly execs: ExecBroker;
  /** Set when replicas share the store: an exec of a session held elsewhere is relayed there. */
  readonly remote?: RemoteSessions;
  readonly logger?: Logger;
  /** Told, per exec, the seconds from the request to the command running (optional telemetry). */
  readonly onExecStarted?: (driver: string, seconds: number) => void;
}

/** A client stream an exec can watch for the client leaving. */
export interface ExecClientCall extends ExecEventSink {
  readonly cancelled: boolean;
  once(event: 'cancelled' | 'drain', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

type ClientCall = ExecClientCall;
type InteractiveCall = ServerDuplexStream<ExecSandboxInput, ExecSandboxEvent>;

/** `localOnly`: the relay of another replica asks; never forward again (no loops). */
export interface ExecRouting {
  readonly localOnly?: boolean;
}

/**
 * ExecSandbox and ExecSandboxInteractive: checks the sandbox can run it (Ready, supervisor
 * connected), sends exec_start on its session, waits for the supervisor to attach, then
 * relays. The client leaving cancels the command; the session dropping fails the call
 * with UNAVAILABLE.
 */
export class SandboxExecService {
  private readonly logger: Logger;

  constructor(private readonly options: SandboxExecServiceOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Server-streaming exec: `stdin` is delivered, then end of input. */
  async exec(call: ServerWritableStream<ExecSandboxRequest, ExecSandboxEvent>): Promise<void> {
    const request = call.request;
    await this.run(request, call, undefined, {}, (relay) => {
      if (request.stdin.length > 0) relay.sendStdin(request.stdin);
      relay.sendStdinEof();
    });
  }

  /** Bidi exec: the first message must be `start`; then stdin and resize; half-close is end of input. */
  async execInteractive(call: InteractiveCall, routing: ExecRouting = {}): Promise<void> {
    const first = await readFirstInput(call);
    if (first === undefined) return;
    if (first.payload?.$case !== 'start') {
      throw new ShellgateError(ErrorCode.InvalidArgument, `the first message of ExecSandboxInteractive must be start, not ${first.payload?.$case ?? 'empty'}`, {
        hint: 'send ExecSandboxInput{start: ExecSandboxRequest} first, then stdin and resize',
      });
    }
    await this.run(first.payload.start, call, call, routing, (relay) => pumpInput(call, relay));
  }

  private async run(
    request: ExecSandboxRequest,
    call: ClientCall,
    input: InteractiveCall | undefined,
    routing: ExecRouting,
    startInput: (relay: ExecRelay) => void,
  ): Promise<void> {
    const requestedMs = performance.now();
    const record = await resolveSandboxReference(this.options.store, request.sandboxId, '');
    const holder = routing.localOnly === true ? undefined : this.options.remote?.holderElsewhere(record);
    if (holder !== undefined) {
      requireReady(record);
      parseExecRequest(request);
      await this.options.remote!.exec(holder, request, call, input);
      return;
    }
    const connection = this.requireConnection(record);
    const command = parseExecRequest(request);
    const sandboxName = record.sandbox.metadata!.name;
    const { sandboxId, sessionId } = connection.info;
    const expectation = this.options.execs.expect(sandboxId, sessionId);
    const logger = this.logger.child({ sandboxId, execId: expectation.execId });
    let relay: ExecRelay | undefined;
    const onClientGone = (): void => {
      expectation.abandon(new ShellgateError(ErrorCode.Cancelled, 'the client cancelled the exec'));
      relay?.cancel();
    };
    const stopWatchingSession = connection.onClose(() => {
      expectation.abandon(new ExecSessionLostError(sandboxName));
      relay?.abort();
    });
    call.once('cancelled', onClientGone);
    try {
      if (!connection.startExec({ ...command, execId: expectation.execId })) {
        expectation.abandon(new ExecSessionLostError(sandboxName));
      }
      logger.info('exec started', { program: command.command[0], tty: command.tty });
      relay = new ExecRelay(await expectation.attached, sandboxName);
      this.options.onExecStarted?.(record.driver, (performance.now() - requestedMs) / 1000);
      if (call.cancelled) {
        relay.cancel();
        return;
      }
      startInput(relay);
      await relay.run(call);
      logger.info('exec finished');
    } finally {
      stopWatchingSession();
      call.removeListener('cancelled', onClientGone);
    }
  }

  private requireConnection(record: SandboxRecord): SupervisorConnection {
    const name = record.sandbox.metadata!.name;
    const phase = requireReady(record);
    const connection = this.options.hub.connectionOf(record.sandbox.metadata!.id);
    if (connection === undefined || !connection.isOpen) {
      throw new SandboxNotExecutableError(name, describePhase(phase), 'but no sandbox supervisor is connected to run commands', 'exec needs the Shellgate supervisor inside the sandbox; a driver with requires_supervisor = false cannot exec');
    }
    return connection;
  }
}

/** The sandbox's phase, which must be Ready for an exec. */
function requireReady(record: SandboxRecord): SandboxPhase {
  const phase = record.sandbox.status?.phase ?? SandboxPhase.SANDBOX_PHASE_UNKNOWN;
  if (phase !== SandboxPhase.SANDBOX_PHASE_READY) {
    throw new SandboxNotExecutableError(record.sandbox.metadata!.name, describePhase(phase), 'exec needs a Ready sandbox', hintFor(phase));
  }
  return phase;
}

function hintFor(phase: SandboxPhase): string {
  switch (phase) {
    case SandboxPhase.SANDBOX_PHASE_STOPPED:
    case SandboxPhase.SANDBOX_PHASE_STOPPING:
      return 'start it with `shellgate sandbox start`, then retry';
    case SandboxPhase.SANDBOX_PHASE_ERROR:
      return 'an Error sandbox stays Error; see its conditions with `shellgate sandbox get`, then delete and recreate it';
    default:
      return 'wait until it is Ready (`shellgate sandbox get` shows the phase), then retry';
  }
}

/** The first message of a bidi call: empty when the client half-closes first, undefined when it leaves. */
async function readFirstInput(call: InteractiveCall): Promise<ExecSandboxInput | undefined> {
  return new Promise((resolve) => {
    const onData = (message: ExecSandboxInput): void => {
      cleanup();
      // Later input waits (paused) until the exec is attached.
      call.pause();
      resolve(message);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ payload: undefined });
    };
    const onGone = (): void => {
      cleanup();
      resolve(undefined);
    };
    const cleanup = (): void => {
      call.removeListener('data', onData);
      call.removeListener('end', onEnd);
      call.removeListener('cancelled', onGone);
    };
    call.on('data', onData);
    call.once('end', onEnd);
    call.once('cancelled', onGone);
  });
}

/** Client input to the supervisor, with backpressure: a full exec stream pauses the client. */
function pumpInput(call: InteractiveCall, relay: ExecRelay): void {
  call.on('data', (input: ExecSandboxInput) => {
    const payload = input.payload;
    if (payload?.$case === 'stdin') {
      if (!relay.sendStdin(payload.stdin)) {
        call.pause();
        relay.onInputDrain(() => call.resume());
      }
    } else if (payload?.$case === 'resize') {
      relay.sendResize(payload.resize.cols, payload.resize.rows);
    }
  });
  call.once('end', () => relay.sendStdinEof());
  call.resume();
}
