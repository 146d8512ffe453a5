// Upstream's Python SDK (`openshell==0.0.116`) against a gateway with the Docker driver and
// the supervisor in every sandbox (issue 15): exec in all its forms, `exec_python` in an image
// with Python (scripts/engines/python-image.sh, built locally, no registry), the interactive
// exec, logs filtered by upstream's source names, watch, stop and start, delete, and
// `openshell.Sandbox(...)` the way upstream's README uses it. Drives dockerd: an engine file
// (run one at a time by scripts/test.sh). TLS and client certificates are covered with the fake
// driver (openshell-sdk.test.ts): the Docker driver gives its supervisors no client certificate.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { addTerminationCleanup, type TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { defaultDriverConfig, toTomlLines, type DriverConfigValue } from '../container/e2e-driver-config.js';
import { containersWithLabel, docker, requireDockerEngine, removeNetwork, removeNetworkAndContainers } from '../docker/docker-engine.js';
import { GATEWAY_ID_LABEL, SANDBOX_ID_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { buildSupervisorRuntime } from '../docker/supervisor-runtime.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN, REPO_ROOT } from '../harness/paths.js';
import { SDK_INSTALL_TIMEOUT_MS, SDK_PHASE, SdkClient, installSdk, writeGatewayConfig, type SdkExecResult, type SdkSandboxRef } from './openshell-sdk-client.js';

const run = promisify(execFile);
const TOKEN = 'an-interop-api-token-0123456789';
const WORKSPACE = 'default';
/** Building the Python image copies this host's Python into a rootfs and imports it: a minute at most. */
const IMAGE_BUILD_TIMEOUT_MS = 5 * 60_000;
const IDLE = ['sleep', '3600'];

interface LogLine {
  readonly source: string;
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, string>;
}

describe('upstream Python SDK (openshell 0.0.116) against the gateway with the Docker driver and supervisor', { timeout: SDK_INSTALL_TIMEOUT_MS + IMAGE_BUILD_TIMEOUT_MS + 300_000 }, () => {
  let python = '';
  let pythonImage = '';
  let gateway: GatewayProcess;
  let sdk: SdkClient;
  let networkName = '';
  let gatewayId = '';
  let cleanupOnTermination: TerminationCleanupHandle | undefined;
  const opened: SdkClient[] = [];

  async function createReady(label: string, command: readonly string[] = IDLE, image = pythonImage): Promise<SdkSandboxRef> {
    const name = uniqueSandboxName(label);
    await sdk.call('create', { workspace: WORKSPACE, name, image, command });
    return sdk.call<SdkSandboxRef>('wait_ready', { name, workspace: WORKSPACE, timeout_seconds: 90 }, 120_000);
  }

  before(async () => {
    await requireDockerEngine();
    python = await installSdk('0.0.116');
    pythonImage = (await run('bash', [join(REPO_ROOT, 'scripts', 'engines', 'python-image.sh'), 'docker', python], { timeout: IMAGE_BUILD_TIMEOUT_MS })).stdout.trim();
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-sdk-docker-'));
    const tokenFile = join(stateDir, 'api-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const driverConfig: Record<string, DriverConfigValue> = {
      ...defaultDriverConfig('sdk', join(stateDir, 'docker-driver')),
      inject_supervisor: true,
      supervisor_runtime_dir: buildSupervisorRuntime(join(stateDir, 'runtime')),
    };
    networkName = String(driverConfig.network_name);
    gateway = await GatewayProcess.start({
      stateDir,
      configToml: [
        `auth_token_file = ${JSON.stringify(tokenFile)}`,
        '[drivers.docker]',
        `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
        ...toTomlLines(driverConfig),
      ].join('\n'),
      readyTimeoutMs: 30_000,
    });
    // Stopped mid-suite (SIGTERM at the file's time bound), no after() runs: stop the gateway,
    // then remove its containers.
    cleanupOnTermination = addTerminationCleanup(async () => {
      await gateway.stop();
      await removeNetworkAndContainers(networkName);
    });
    const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
    gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
    const started = await SdkClient.start(python, { endpoint: gateway.address, token: TOKEN, timeoutSeconds: 30 });
    opened.push(started.client);
    sdk = started.client;
  });

  after(async () => {
    cleanupOnTermination?.forget();
    if (sdk !== undefined) {
      const left = await sdk.call<SdkSandboxRef[]>('list_for_all_workspaces').catch(() => []);
      for (const sandbox of left) await sdk.call('delete', { name: sandbox.name, workspace: sandbox.workspace }).catch(() => false);
    }
    for (const client of opened) await client.close();
    if (gateway === undefined) return;
    await gateway.stop();
    const leftovers = gatewayId === '' ? [] : await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
    if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
    await removeNetwork(networkName);
    gateway.removeState();
  });

  it('exec: stdout, stderr, exit code, env, workdir, stdin, timeout; streamed chunks; OPENSHELL_* keys refused', async () => {
    const sandbox = await createReady('exec');
    const echo = await sdk.call<SdkExecResult>('exec', { sandbox_id: sandbox.id, command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    assert.deepEqual(echo, { exit_code: 3, stdout: 'out\n', stderr: 'err\n' });
    const env = await sdk.call<SdkExecResult>('exec', { sandbox_id: sandbox.id, command: ['sh', '-c', 'echo "$GREETING"; pwd'], env: { GREETING: 'hello there' }, workdir: '/tmp' });
    assert.equal(env.stdout, 'hello there\n/tmp\n');
    const stdin = await sdk.call<SdkExecResult>('exec', { sandbox_id: sandbox.id, command: ['tr', 'a-z', 'A-Z'], stdin: 'shout\n' });
    assert.equal(stdin.stdout, 'SHOUT\n');
    const startedAt = Date.now();
    const timedOut = await sdk.call<SdkExecResult>('exec', { sandbox_id: sandbox.id, command: ['sleep', '30'], timeout_seconds: 1 });
    assert.equal(timedOut.exit_code, 124, 'a timed-out exec exits 124');
    assert.ok(Date.now() - startedAt < 15_000, 'the timeout ended the command');

    const chunks = await sdk.call<({ stream: string; data: string } | SdkExecResult)[]>('exec_stream', { sandbox_id: sandbox.id, command: ['sh', '-c', 'echo a; echo b >&2'] });
    assert.deepEqual(chunks.filter((c) => 'stream' in c).map((c) => ('stream' in c ? c.stream : '')).sort(), ['stderr', 'stdout']);
    assert.equal((chunks.at(-1) as SdkExecResult).exit_code, 0);

    const refused = await sdk.callError('exec', { sandbox_id: sandbox.id, command: ['true'], env: { OPENSHELL_OTHER: 'x' } });
    assert.equal(refused.code, 'INVALID_ARGUMENT');
    assert.match(refused.details, /OPENSHELL_OTHER/);
    assert.equal((await sdk.callError('exec', { sandbox_id: 'no-such-sandbox', command: ['true'] })).code, 'NOT_FOUND');
  });

  it('exec_python runs the pickled callable in the sandbox (OPENSHELL_PYFUNC_B64) and returns its result; an exception exits non-zero', async () => {
    const sandbox = await createReady('pyfn');
    const facts = await sdk.call<SdkExecResult>('exec_python', { sandbox_id: sandbox.id, function: 'sandbox_facts', args: [1, 2], kwargs: { greeting: 'hi' }, workdir: '/tmp' });
    assert.equal(facts.exit_code, 0, facts.stderr);
    assert.match(facts.stdout, new RegExp(`^sum=3 greeting=hi python=\\d+\\.\\d+\\.\\d+ sandbox=${sandbox.name} cwd=/tmp\\n$`));
    const failed = await sdk.call<SdkExecResult>('exec_python', { sandbox_id: sandbox.id, function: 'fail_inside' });
    assert.equal(failed.exit_code, 1);
    assert.match(failed.stderr, /RuntimeError: raised inside the sandbox/);
  });

  it('ExecSandboxInteractive: stdin streamed to a command, and a terminal with its size and a resize', async () => {
    const sandbox = await createReady('tty');
    const piped = await sdk.call<SdkExecResult>('exec_interactive', { sandbox_id: sandbox.id, command: ['sh', '-c', 'cat; echo done'], stdin: ['one\n', 'two\n'] });
    assert.deepEqual(piped, { exit_code: 0, stdout: 'one\ntwo\ndone\n', stderr: '' });
    const terminal = await sdk.call<SdkExecResult>('exec_interactive', {
      sandbox_id: sandbox.id,
      command: ['sh'],
      tty: true,
      cols: 100,
      rows: 30,
      resize: [120, 40],
      stdin: ['stty size; exit 7\n'],
      close_stdin: false,
    });
    assert.equal(terminal.exit_code, 7);
    assert.match(terminal.stdout, /40 120/, 'the resize reached the terminal');
  });

  it('logs and watch: the main process\'s lines are source "sandbox" (origin in fields), filters take upstream\'s names and levels', async () => {
    const sandbox = await createReady('logs', ['sh', '-c', 'echo hello-from-main; exec sleep 3600']);
    const deadline = Date.now() + 20_000;
    let lines: LogLine[] = [];
    while (!lines.some((line) => line.message.includes('hello-from-main')) && Date.now() < deadline) {
      lines = (await sdk.call<{ logs?: LogLine[] }>('logs', { sandbox_id: sandbox.id })).logs ?? [];
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const hello = lines.find((line) => line.message.includes('hello-from-main'));
    assert.ok(hello !== undefined, `the main process line arrived: ${JSON.stringify(lines)}`);
    assert.equal(hello.source, 'sandbox');
    assert.equal(hello.level, 'INFO');
    assert.equal(hello.fields?.['shellgate.source'], 'main');

    const messages = async (args: Record<string, unknown>): Promise<string[]> =>
      ((await sdk.call<{ logs?: LogLine[] }>('logs', { sandbox_id: sandbox.id, ...args })).logs ?? []).map((line) => line.message);
    assert.ok((await messages({ sources: ['sandbox'] })).some((m) => m.includes('hello-from-main')));
    assert.ok((await messages({ sources: ['SANDBOX'], min_level: 'info' })).some((m) => m.includes('hello-from-main')));
    assert.ok((await messages({ sources: ['main'] })).some((m) => m.includes('hello-from-main')), "Shellgate's finer origin still filters");
    assert.ok(!(await messages({ sources: ['gateway'] })).some((m) => m.includes('hello-from-main')));
    assert.ok(!(await messages({ sources: ['supervisor'] })).some((m) => m.includes('hello-from-main')));
    assert.ok(!(await messages({ min_level: 'ERROR' })).some((m) => m.includes('hello-from-main')));

    const events = await sdk.call<{ log?: LogLine }[]>('watch', { id: sandbox.id, follow_logs: true, log_tail_lines: 50, log_sources: ['sandbox'], max_events: 50, seconds: 5 });
    const watched = events.flatMap((event) => (event.log === undefined ? [] : [event.log]));
    assert.ok(watched.some((line) => line.message.includes('hello-from-main') && line.source === 'sandbox'), `WatchSandbox follow_logs: ${JSON.stringify(watched)}`);
  });

  it('stop and start act on the container, and exec works again after the start', async () => {
    const sandbox = await createReady('stop');
    const [containerId] = await containersWithLabel(SANDBOX_ID_LABEL, sandbox.id);
    assert.ok(containerId !== undefined);
    await sdk.call('stop', { name: sandbox.name, workspace: WORKSPACE });
    assert.equal((await sdk.call<SdkSandboxRef>('wait_stopped', { name: sandbox.name, workspace: WORKSPACE, timeout_seconds: 60 }, 90_000)).status.phase, SDK_PHASE.STOPPED);
    assert.equal(await docker(['inspect', '--format', '{{.State.Running}}', containerId]), 'false');
    await sdk.call('start', { name: sandbox.name, workspace: WORKSPACE });
    await sdk.call('wait_ready', { name: sandbox.name, workspace: WORKSPACE, timeout_seconds: 90 }, 120_000);
    assert.equal((await sdk.call<SdkExecResult>('exec', { sandbox_id: sandbox.id, command: ['echo', 'again'] })).stdout, 'again\n');

    assert.equal(await sdk.call('delete', { name: sandbox.name, workspace: WORKSPACE }), true);
    await sdk.call('wait_deleted', { name: sandbox.name, workspace: WORKSPACE, timeout_seconds: 60 }, 90_000);
    assert.deepEqual(await containersWithLabel(SANDBOX_ID_LABEL, sandbox.id), [], 'the container is gone');
    assert.equal((await sdk.callError('delete', { name: sandbox.name, workspace: WORKSPACE })).code, 'NOT_FOUND');
  });

  it('a main process that exits on its own: Error with its exit code, which wait_ready reports', async () => {
    const sandbox = await createReady('exit', ['sh', '-c', 'sleep 2; exit 5']);
    const name = sandbox.name;
    let exited = sandbox;
    for (const deadline = Date.now() + 30_000; exited.status.phase !== SDK_PHASE.ERROR && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      exited = await sdk.call<SdkSandboxRef>('get', { name, workspace: WORKSPACE });
    }
    assert.deepEqual([exited.status.phase, exited.status.exit_code], [SDK_PHASE.ERROR, 5]);
    assert.match((await sdk.callError('wait_ready', { name, workspace: WORKSPACE, timeout_seconds: 10 })).details, /error phase/);
    const events = await sdk.call<{ event?: { source: string; type: string; reason: string } }[]>('watch', { id: exited.id, follow_events: true, event_tail: 50, max_events: 50, seconds: 3 });
    assert.ok(events.some((event) => event.event !== undefined), `WatchSandbox follow_events replays the platform events: ${JSON.stringify(events)}`);
    assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
  });

  it('with openshell.Sandbox(...) as upstream\'s README uses it: exec and exec_python, deleted on exit', async () => {
    const configHome = writeGatewayConfig(join(gateway.stateDir, 'xdg'), 'shellgate', { url: `http://${gateway.address}`, token: TOKEN });
    const started = await SdkClient.start(python, { endpoint: gateway.address, token: TOKEN, configHome, timeoutSeconds: 30 });
    opened.push(started.client);
    const result = await started.client.call<{ sandbox: SdkSandboxRef; exec: SdkExecResult; exec_python: SdkExecResult }>(
      'sandbox_context',
      { gateway: 'shellgate', workspace: WORKSPACE, image: pythonImage, command: ['uname', '-s'], python_function: 'sandbox_facts' },
      180_000,
    );
    assert.equal(result.exec.stdout, 'Linux\n');
    assert.match(result.exec_python.stdout, /^sum=42 greeting=context /);
    assert.equal((await sdk.callError('get', { name: result.sandbox.name, workspace: WORKSPACE })).code, 'NOT_FOUND');
    assert.deepEqual(await containersWithLabel(SANDBOX_ID_LABEL, result.sandbox.id), [], 'its container is gone');
  });
});
