import type { Writable } from 'node:stream';
import type { ExecSandboxEvent, ExecSandboxInput } from '@shellgate/api';
import { ExecSandboxRequest } from '@shellgate/api';
import type { CommandContext } from '../commands/command.js';
import type { DuplexCall } from '../connection/gateway-client.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import type { CommandStdio } from './command-stdio.js';
import type { ExecTarget } from './exec-errors.js';
import { missingExitError, toExecError } from './exec-errors.js';

/** What to run and how to attach to it. */
export interface ExecOptions {
  readonly command: readonly string[];
  /** Working directory in the sandbox; '' for the image's default. */
  readonly workdir: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Time limit enforced in the sandbox (exit 124 when hit); 0 for none. */
  readonly timeoutSeconds: number;
  /** Stream local stdin to the command (ExecSandboxInteractive); without it stdin is never read. */
  readonly isInteractive: boolean;
  /** Give the command a pty of the local terminal's size. */
  readonly isTty: boolean;
}

type InteractiveCall = DuplexCall<ExecSandboxInput, ExecSandboxEvent>;

/**
 * Runs a command in the sandbox and relays its output byte for byte, at the pace stdout
 * and stderr accept it. Resolves with the command's exit code. With a pty and an
 * interactive local terminal, the terminal is raw while attached and restored on every
 * way out (exit, error, Ctrl-C via the abort signal).
 */
export async function runExec(context: CommandContext, target: ExecTarget, options: ExecOptions): Promise<number> {
  const stdio = context.stdio();
  const size = options.isTty ? stdio.terminal.size() : undefined;
  const request = ExecSandboxRequest.fromPartial({
    sandboxId: target.id,
    command: [...options.command],
    workdir: options.workdir,
    environment: { ...options.environment },
    timeoutSeconds: options.timeoutSeconds,
    tty: options.isTty,
    cols: size?.cols ?? 0,
    rows: size?.rows ?? 0,
  });
  // An exec lives as long as its command; only the sandbox-side --timeout bounds it.
  const settings = { subject: { kind: 'sandbox', name: target.name }, signal: context.signal, timeoutMs: Infinity } as const;
  try {
    if (!options.isInteractive) {
      // The fast path (`exec NAME -- true`): one server-streaming call, stdin untouched.
      return await relayOutput(context.connect().serverStream('execSandbox', request, settings), stdio, target);
    }
    const call = context.connect().duplexStream('execSandboxInteractive', settings);
    call.write({ payload: { $case: 'start', start: request } });
    return await attachInteractive(call, stdio, target, options.isTty);
  } catch (error) {
    throw toExecError(error, target);
  }
}

async function attachInteractive(call: InteractiveCall, stdio: CommandStdio, target: ExecTarget, isTty: boolean): Promise<number> {
  const { terminal } = stdio;
  const isRaw = isTty && terminal.isStdinTty;
  if (isRaw) terminal.setRawMode(true);
  const input = forwardStdin(stdio, call);
  const stopResize = isTty ? terminal.onResize((size) => input.send({ payload: { $case: 'resize', resize: size } })) : undefined;
  try {
    return await relayOutput(call.responses, stdio, target);
  } finally {
    if (isRaw) terminal.setRawMode(false);
    stopResize?.();
    input.stop();
  }
}

interface StdinForwarder {
  /** Sends a message unless stdin already ended (a half-closed call takes no more). */
  send(message: ExecSandboxInput): void;
  stop(): void;
}

/**
 * Streams stdin to the call as it arrives, pausing stdin while the transport is full; EOF
 * half-closes the call (the command sees end of input).
 */
function forwardStdin(stdio: CommandStdio, call: InteractiveCall): StdinForwarder {
  const { stdin } = stdio;
  let isStopped = false;
  const send = (message: ExecSandboxInput): void => {
    if (isStopped || call.write(message)) return;
    stdin.pause();
    void call.drained().then(() => {
      if (!isStopped) stdin.resume();
    });
  };
  const onData = (chunk: Buffer | string): void => send({ payload: { $case: 'stdin', stdin: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk) } });
  const onEnd = (): void => {
    if (isStopped) return;
    stop();
    call.end();
  };
  const stop = (): void => {
    isStopped = true;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onEnd);
    // Paused, a pipe or tty no longer holds the event loop open once the command is done.
    stdin.pause();
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  // A read error on stdin (EIO on a closed tty) ends the input like EOF would.
  stdin.once('error', onEnd);
  stdin.resume();
  return { send, stop };
}

/** Writes stdout/stderr events as they come until the exit event; returns its code. */
async function relayOutput(events: AsyncIterable<ExecSandboxEvent>, stdio: CommandStdio, target: ExecTarget): Promise<number> {
  for await (const event of events) {
    const payload = event.payload;
    if (payload?.$case === 'stdout') await writeBytes(stdio.stdout, payload.stdout.data, 'stdout');
    else if (payload?.$case === 'stderr') await writeBytes(stdio.stderr, payload.stderr.data, 'stderr');
    else if (payload?.$case === 'exit') return toLocalExitCode(payload.exit.exitCode);
  }
  throw missingExitError(target);
}

/** Writes one chunk and, when the stream is full, waits until it drains (never buffers without bound). */
function writeBytes(stream: Writable, data: Buffer, name: string): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  if (stream.destroyed || stream.writableEnded) return Promise.reject(closedOutputError(name));
  if (stream.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onFailure);
      stream.off('close', onFailure);
      resolve();
    };
    const onFailure = (): void => {
      stream.off('drain', onDrain);
      reject(closedOutputError(name));
    };
    stream.once('drain', onDrain);
    stream.once('error', onFailure);
    stream.once('close', onFailure);
  });
}

function closedOutputError(name: string): CliError {
  return new CliError(ExitCode.Failed, `${name} was closed before the command finished; the command was cancelled`);
}

/** A process exit status is 0-255; anything else the sandbox reports reads as a failure (1). */
function toLocalExitCode(remoteCode: number): number {
  return Number.isInteger(remoteCode) && remoteCode >= 0 && remoteCode <= 255 ? remoteCode : ExitCode.Failed;
}
