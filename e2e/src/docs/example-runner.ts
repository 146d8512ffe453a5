// Runs documented command lines as a reader would: `sh -c LINE`, with `shellgate` and
// `shellgate-gateway` on PATH and SHELLGATE_GATEWAY naming the test's gateway, from a
// working directory that holds what the examples assume (a `src/` to tar up).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxPhase, SandboxSpec } from '@shellgate/api';
import type { ApiClient } from '../harness/api-client.js';
import { CLI_BIN, GATEWAY_BIN } from '../harness/paths.js';
import { PtySession } from '../harness/pty-session.js';
import { runCli } from '../harness/run-cli.js';
import type { DocExample } from './doc-examples.js';
import { REPO_ROOT } from './doc-examples.js';
import type { ExampleSetup, Interaction } from './example-plan.js';
import { splitShellLine } from './shell-words.js';

const NOT_FOUND = 5;
const EXAMPLE_TIMEOUT_MS = 120_000;
/** What `exit` after Ctrl-C reports: the CLI's documented "interrupted" code. */
const INTERRUPTED = 130;

/** The gateway an example runs against. */
export interface ExampleGateway {
  readonly address: string;
  readonly api: ApiClient;
  /** How long a new sandbox may take to be Ready (an image start and a supervisor dial on Docker). */
  readonly readyTimeoutMs: number;
}

/** A private HOME, working directory and PATH for running examples; remove() when done. */
export class ExampleShell {
  private constructor(private readonly root: string) {}

  static create(): ExampleShell {
    const root = mkdtempSync(join(tmpdir(), 'sg-doc-examples-'));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    for (const [name, target] of [['shellgate', CLI_BIN], ['shellgate-gateway', GATEWAY_BIN]] as const) {
      writeFileSync(join(bin, name), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(target)} "$@"\n`);
      chmodSync(join(bin, name), 0o755);
    }
    mkdirSync(join(root, 'home'));
    mkdirSync(join(root, 'work', 'src'), { recursive: true });
    writeFileSync(join(root, 'work', 'src', 'hello.txt'), 'hello from the docs test\n');
    return new ExampleShell(root);
  }

  /** The working directory: the clone for `node packages/...` lines, else the fixture. */
  cwd(kind: 'fixture' | 'repo'): string {
    return kind === 'repo' ? REPO_ROOT : join(this.root, 'work');
  }

  /** The environment of a reader's shell: no stray SHELLGATE_* settings, our binaries on PATH. */
  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SHELLGATE_')));
    return { ...base, HOME: join(this.root, 'home'), PATH: `${join(this.root, 'bin')}:${process.env.PATH ?? ''}`, ...extra };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === NOT_FOUND;
}

async function ensureAbsent(gateway: ExampleGateway, name: string): Promise<void> {
  await gateway.api.delete(name).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
  const deadline = Date.now() + gateway.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (await gateway.api.get(name).then(() => false, (error: unknown) => isNotFound(error))) return;
    await sleep(100);
  }
  throw new Error(`sandbox ${name} still exists ${gateway.readyTimeoutMs} ms after delete`);
}

async function ensureReady(gateway: ExampleGateway, name: string): Promise<void> {
  const current = await gateway.api.get(name).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (current?.status?.phase === SandboxPhase.SANDBOX_PHASE_READY) return;
  if (current !== undefined) await ensureAbsent(gateway, name);
  await gateway.api.create({ name, spec: SandboxSpec.fromPartial({ command: ['sleep', '3600'] }) });
  await gateway.api.waitFor(name, (sandbox) => sandbox.status?.phase === SandboxPhase.SANDBOX_PHASE_READY, gateway.readyTimeoutMs);
}

async function runWorkspaceCommand(gateway: ExampleGateway, args: readonly string[], acceptedCodes: readonly number[]): Promise<void> {
  const result = await runCli(['--gateway', gateway.address, 'workspace', ...args]);
  assert.ok(acceptedCodes.includes(result.code ?? -1), `setup: shellgate workspace ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}

/** Brings the gateway to what the example assumes: which sandboxes and workspaces exist. */
export async function prepareGateway(gateway: ExampleGateway, setup: ExampleSetup): Promise<void> {
  for (const name of setup.absentSandboxes) await ensureAbsent(gateway, name);
  for (const name of setup.readySandboxes) await ensureReady(gateway, name);
  for (const name of setup.workspaces) await runWorkspaceCommand(gateway, ['create', name], [0, 4]);
  for (const name of setup.absentWorkspaces) await runWorkspaceCommand(gateway, ['delete', name], [0, 3]);
}

function describeExample(example: DocExample): string {
  return `${example.text}\n  (from ${example.sources.join(', ')})`;
}

/** Runs the line with sh to its end; it must exit 0. */
async function runToEnd(example: DocExample, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn('/bin/sh', ['-c', example.text], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXAMPLE_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `exit ${code} from\n${describeExample(example)}\noutput:\n${output}`);
}

/**
 * Starts the line on a terminal as an interactive shell runs a foreground job: the command
 * alone receives Ctrl-C, and its exit code is what the person sees. (A plain `sh -c` would
 * stay in between and die of the SIGINT itself, hiding the command's code.)
 */
function startOnTerminal(example: DocExample, cwd: string, env: NodeJS.ProcessEnv): PtySession {
  if (splitShellLine(example.text).some((token) => token.isOperator)) throw new Error(`cannot run a compound command on a terminal: ${example.text}`);
  return PtySession.start('/bin/sh', ['-c', `exec ${example.text}`], { env, cwd, cols: 100, rows: 30 });
}

/** A person at a terminal: types a command into the shell the example opened, then `exit`. */
async function driveShell(example: DocExample, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const session = startOnTerminal(example, cwd, env);
  try {
    const deadline = Date.now() + EXAMPLE_TIMEOUT_MS;
    let answered = false;
    // Keys typed before the shell is attached wait in the terminal; typing again is harmless.
    while (!answered && Date.now() < deadline) {
      session.write('echo doc-example-$((6*7))\r');
      answered = await session.waitFor(/doc-example-42/, 5_000).then(() => true, () => false);
    }
    assert.ok(answered, `no shell answered on the terminal for\n${describeExample(example)}\nit shows:\n${session.screen}`);
    session.write('exit\r');
    assert.equal(await session.waitForExit(30_000), 0, `${describeExample(example)}\nit shows:\n${session.screen}`);
  } finally {
    session.kill();
  }
}

/** A person following output: lets it run, then presses Ctrl-C, which the CLI reports as 130. */
async function followThenInterrupt(example: DocExample, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const session = startOnTerminal(example, cwd, env);
  try {
    await sleep(2_000);
    session.write('\x03');
    assert.equal(await session.waitForExit(30_000), INTERRUPTED, `${describeExample(example)}\nit shows:\n${session.screen}`);
  } finally {
    session.kill();
  }
}

/** Runs one example the way its interaction says, against `address`. */
export async function runExample(
  example: DocExample,
  interaction: Interaction,
  shell: ExampleShell,
  cwd: 'fixture' | 'repo',
  address: string,
): Promise<void> {
  const env = shell.env({ SHELLGATE_GATEWAY: address });
  if (interaction === 'terminal-shell') await driveShell(example, shell.cwd(cwd), env);
  else if (interaction === 'follow-then-ctrl-c') await followThenInterrupt(example, shell.cwd(cwd), env);
  else await runToEnd(example, shell.cwd(cwd), env);
}

/**
 * `shellgate-gateway --config FILE` as an operator starts it: FILE is the page's own TOML
 * example; `env` keeps it off the real port and state (env overrides the file). It must
 * report ready, then stop cleanly (exit 0) on SIGTERM.
 */
export async function runGatewayExample(
  example: DocExample,
  configFile: string,
  configToml: string,
  shell: ExampleShell,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  writeFileSync(join(shell.cwd('fixture'), configFile), configToml);
  const child = spawn('/bin/sh', ['-c', `exec ${example.text}`], { cwd: shell.cwd('fixture'), env: shell.env(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    while (!/"message":"gateway ready"/.test(log) && child.exitCode === null && Date.now() < deadline) await sleep(50);
    assert.match(log, /"message":"gateway ready"/, `${describeExample(example)}\nnever became ready; log:\n${log}`);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `${describeExample(example)}\ndid not stop cleanly; log:\n${log}`);
  } finally {
    child.kill('SIGKILL');
  }
}
