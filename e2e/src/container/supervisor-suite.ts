// Issues 5 and 11 on a real engine (Docker or Podman, one suite): the gateway spawns the
// engine's driver, which bind-mounts the supervisor runtime bundle into a bare busybox image
// (no Node in it) and makes the supervisor the entrypoint. Readiness, exec, interactive shells,
// logs, stop and start, and the token rules are checked the way an operator meets them:
// through the real CLI, the API and the engine's own CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { SandboxPhase, SandboxSpec, type Sandbox } from '@shellgate/api';
import { SupervisorSessionClient, type GatewayMessage } from '@shellgate/api/session';
import { ApiClient } from '../harness/api-client.js';
import type { GatewayProcess } from '../harness/gateway-process.js';
import { CLI_BIN } from '../harness/paths.js';
import { PtySession } from '../harness/pty-session.js';
import { runCli, runCliWithInput, type CliResult } from '../harness/run-cli.js';
import { E2E_RUN, RUN_LABEL, SANDBOX_ID_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { buildSupervisorRuntime } from '../docker/supervisor-runtime.js';
import { TEST_IMAGE, defaultDriverConfig, type DriverConfigValue } from './e2e-driver-config.js';
import { startEngineGateway, stopEngineGateway, type EngineGateway } from './engine-gateway.js';
import type { EngineUnderTest } from './engine-under-test.js';

const WAIT = '90s';
/** Short, so a lost session is noticed within a second or two. */
const HEARTBEAT_MS = 300;
const IDLE = ['sleep', '3600'];

export function registerSupervisorSuite(engine: EngineUnderTest): void {
  describe(`supervisor in ${engine.displayName} sandboxes (session, exec, shells, logs, stop and start)`, () => {
    let started: EngineGateway | undefined;
    let gateway: GatewayProcess;
    let api: ApiClient;
    let stateDir = '';
    let driverStateDir = '';

    before(async () => {
      await engine.require();
      stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-sup-'));
      const runtimeDir = buildSupervisorRuntime(join(stateDir, 'runtime'));
      driverStateDir = join(stateDir, `${engine.name}-driver`);
      const driverConfig: Record<string, DriverConfigValue> = { ...defaultDriverConfig('sup', driverStateDir), ...engine.driverConfig, inject_supervisor: true, supervisor_runtime_dir: runtimeDir };
      started = await startEngineGateway(engine, stateDir, [`supervisor_heartbeat_ms = ${HEARTBEAT_MS}`], driverConfig);
      gateway = started.gateway;
      api = new ApiClient(gateway.address);
    });

    after(async () => {
      if (started === undefined) return;
      for (const sandbox of await api.list().catch(() => [])) await api.delete(sandbox.metadata!.name).catch(() => false);
      api.close();
      await stopEngineGateway(engine, started);
    });

    function cli(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
      return runCli(['--gateway', gateway.address, ...args], {}, timeoutMs);
    }

    async function createReady(label: string, command: readonly string[] = IDLE, extra: readonly string[] = []): Promise<Sandbox> {
      const name = uniqueSandboxName(label);
      const result = await cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), ...extra, '--wait', '--timeout', WAIT, '-o', 'json']);
      assert.equal(result.code, 0, `create ${name} exited ${result.code}:\n${result.stderr}`);
      return JSON.parse(result.stdout) as Sandbox;
    }

    async function containerOf(sandboxId: string): Promise<string> {
      const [id] = await engine.containersWithLabel(SANDBOX_ID_LABEL, sandboxId);
      assert.ok(id !== undefined, `a container for sandbox ${sandboxId}`);
      return id;
    }

    function readyReason(sandbox: Sandbox): string | undefined {
      return sandbox.status?.conditions.find((condition) => condition.type === 'Ready')?.reason;
    }

    /** The driver's kept copy of the token: the delivered file is emptied by the supervisor. */
    function tokenOf(sandboxId: string): string {
      return readFileSync(join(driverStateDir, 'sandboxes', sandboxId, 'token.kept'), 'utf8').trim();
    }

    it('runs the supervisor from the bind-mounted bundle in an image without Node, and is Ready only once its session is up', async () => {
      assert.notEqual((await engine.runResult(['run', '--rm', TEST_IMAGE, 'which', 'node'])).code, 0, 'the test image has no node');
      const sandbox = await createReady('ready');
      const id = sandbox.metadata!.id;
      assert.equal(String(sandbox.status?.phase), 'SANDBOX_PHASE_READY', 'the CLI answered Ready');
      const inspect = await engine.inspect(await containerOf(id));
      const runtimeMount = inspect.Mounts.find((mount) => mount.Destination === '/opt/shellgate/runtime');
      assert.ok(runtimeMount !== undefined && !runtimeMount.RW, 'the runtime bundle is mounted read-only');
      const tokenMount = inspect.Mounts.find((mount) => mount.Destination === '/run/shellgate/sandbox-token');
      assert.equal(tokenMount?.RW, true, 'the token file is writable, for the supervisor to empty it once read');
      // Ready was answered to the CLI, so by then the gateway had the session (a backend-only
      // Ready would not be enough: see the frozen-supervisor test for the other direction).
      const sessions = gateway.entries((entry) => entry.message === 'supervisor session opened' && entry.sandboxId === id);
      assert.ok(sessions.length >= 1, `the gateway logged the session of ${id}`);

      // PID 1 is the engine's init, which reaps what agents orphan (Node as PID 1 cannot).
      const name = sandbox.metadata!.name;
      assert.equal((await cli(['sandbox', 'exec', name, '--', 'cat', '/proc/1/comm'])).stdout, `${engine.initProcessName}\n`);
      assert.equal((await cli(['sandbox', 'exec', name, '--', 'sh', '-c', '(sleep 0.2 &); exit 0'])).code, 0);
      await sleep(1_000);
      const states = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'cat /proc/[0-9]*/stat']);
      assert.doesNotMatch(states.stdout, /\) Z /, 'no zombie left behind');
    });

    it('a frozen supervisor demotes the sandbox to Provisioning (DependenciesNotReady); thawed, it reconnects and is Ready', async () => {
      const sandbox = await createReady('freeze');
      const name = sandbox.metadata!.name;
      // The container's PID 1 is the engine's init; the supervisor is its one child.
      const initPid = (await engine.inspect(await containerOf(sandbox.metadata!.id))).State.Pid;
      const pid = Number(readFileSync(`/proc/${initPid}/task/${initPid}/children`, 'utf8').trim().split(/\s+/)[0]);
      assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /supervisor\.cjs/, 'found the supervisor process');
      process.kill(pid, 'SIGSTOP');
      try {
        const lost = await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_PROVISIONING, 15_000);
        assert.equal(readyReason(lost), 'DependenciesNotReady');
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_READY, 20_000);
    });

    it('exec passes stdout, stderr, the exit code, stdin, env, workdir and a timeout', async () => {
      const name = (await createReady('exec')).metadata!.name;
      const echo = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(echo.code, 3, echo.stderr);
      assert.equal(echo.stdout, 'out\n');
      assert.match(echo.stderr, /err/);

      const env = await cli(['sandbox', 'exec', name, '-e', 'GREETING=hello there', '-w', '/tmp', '--', 'sh', '-c', 'echo "$GREETING"; pwd']);
      assert.equal(env.code, 0, env.stderr);
      assert.equal(env.stdout, 'hello there\n/tmp\n');

      const stdin = await runCliWithInput(['--gateway', gateway.address, 'sandbox', 'exec', '-i', name, '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'shout\n');
      assert.equal(stdin.code, 0, stdin.stderr);
      assert.equal(stdin.stdout, 'SHOUT\ndone\n');

      const startedAt = Date.now();
      const timedOut = await cli(['sandbox', 'exec', name, '--timeout', '1', '--', 'sleep', '30']);
      assert.equal(timedOut.code, 124, `a timed-out exec exits 124:\n${timedOut.stderr}`);
      assert.ok(Date.now() - startedAt < 15_000, 'the timeout ended the command');

      const missing = await cli(['sandbox', 'exec', name, '--', 'no-such-command']);
      assert.equal(missing.code, 127, missing.stderr);
    });

    it('connect gives an interactive shell through a real terminal: resize and Ctrl-C reach the sandbox', async () => {
      const name = (await createReady('shell')).metadata!.name;
      const session = PtySession.start(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'sandbox', 'connect', name], { cols: 100, rows: 30 });
      try {
        session.write('stty size\r');
        await session.waitFor(/30 100/);
        let mark = session.screen.length;
        session.resize(120, 40);
        await sleep(300);
        session.write('stty size\r');
        await session.waitFor(/40 120/, 20_000, mark);
        mark = session.screen.length;
        session.write('sleep 60; echo after-sleep\r');
        await sleep(500);
        session.write('\x03');
        session.write('echo interrupted-$?\r');
        await session.waitFor(/interrupted-1\d\d/, 20_000, mark);
        assert.doesNotMatch(session.screen.slice(mark), /after-sleep\r?\n/, 'Ctrl-C ended the sleep inside the sandbox');
        session.write('exit 5\r');
        assert.equal(await session.waitForExit(), 5, 'connect exits with the shell\'s code');
      } finally {
        session.kill();
      }
    });

    it('create -- CMD waits for Ready, runs CMD attached (a terminal when there is one) and exits with its code', async () => {
      const piped = uniqueSandboxName('attach');
      const result = await cli(['sandbox', 'create', piped, '--timeout', WAIT, '--', 'sh', '-c', 'echo "attached to $OPENSHELL_SANDBOX"; exit 3']);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, `attached to ${piped}\n`);
      assert.equal((await api.get(piped)).status?.phase, SandboxPhase.SANDBOX_PHASE_READY, 'the sandbox stays');

      const onTerminal = uniqueSandboxName('attachtty');
      const session = PtySession.start(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'sandbox', 'create', onTerminal, '--timeout', WAIT, '--', 'sh']);
      try {
        session.write('tty && echo on-a-pty\r');
        await session.waitFor(/on-a-pty/, 60_000);
        session.write('exit 4\r');
        assert.equal(await session.waitForExit(), 4);
      } finally {
        session.kill();
      }
    });

    it('an image with a non-root USER: the main process and execs run as that user, who cannot read the token', async () => {
      const image = `shellgate-test/busybox-user:${uniqueSandboxName('img')}`;
      const base = await engine.run(['create', '--label', `${RUN_LABEL}=${E2E_RUN}`, TEST_IMAGE]);
      try {
        await engine.run(['commit', '--change', 'USER 1234:1234', base, image]);
      } finally {
        await engine.run(['rm', '-f', base]);
      }
      try {
        const sandbox = await createReady('user', ['sh', '-c', 'echo "main-uid=$(id -u)"; sleep 3600'], ['--image', image]);
        const name = sandbox.metadata!.name;
        const ids = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'id -u; id -g']);
        assert.equal(ids.code, 0, ids.stderr);
        assert.equal(ids.stdout, '1234\n1234\n');
        const deadline = Date.now() + 10_000;
        let logs = await cli(['sandbox', 'logs', name, '--source', 'main']);
        while (!logs.stdout.includes('main-uid=') && Date.now() < deadline) logs = await cli(['sandbox', 'logs', name, '--source', 'main']);
        assert.match(logs.stdout, /main-uid=1234\b/, 'the main process runs as the image user');
        const token = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'cat "$OPENSHELL_SANDBOX_TOKEN_FILE"']);
        assert.notEqual(token.code, 0, 'the sandbox user cannot read the token file');
        assert.match(token.stderr, /Permission denied/);
        await cli(['sandbox', 'delete', name, '--wait', '--timeout', WAIT]);
      } finally {
        await engine.run(['rmi', '-f', image]).catch(() => undefined);
      }
    });

    it('stop and start through the CLI keep the writable layer, and the supervisor session comes back', async () => {
      const sandbox = await createReady('stopstart');
      const name = sandbox.metadata!.name;
      const containerId = await containerOf(sandbox.metadata!.id);
      assert.equal((await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo kept-across-stop > /root/marker.txt'])).code, 0);
      const stopped = await cli(['sandbox', 'stop', name, '--wait', '--timeout', WAIT]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_STOPPED);
      assert.equal((await engine.inspect(containerId)).State.Running, false, 'the container is stopped, not removed');
      // Ready again means a supervisor session again: the token was there for it to read.
      const started = await cli(['sandbox', 'start', name, '--wait', '--timeout', WAIT]);
      assert.equal(started.code, 0, started.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_READY);
      assert.equal(await containerOf(sandbox.metadata!.id), containerId, 'the same container');
      assert.equal((await cli(['sandbox', 'exec', name, '--', 'cat', '/root/marker.txt'])).stdout, 'kept-across-stop\n');
      const deleted = await cli(['sandbox', 'delete', name, '--wait', '--timeout', WAIT]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(await engine.containersWithLabel(SANDBOX_ID_LABEL, sandbox.metadata!.id), [], 'the container is gone');
    });

    it('the main process exiting puts the sandbox in Error with MainProcessExited and its code', async () => {
      const name = uniqueSandboxName('mainexit');
      await api.create({ name, spec: SandboxSpec.fromPartial({ command: ['sh', '-c', 'echo bye; sleep 2; exit 7'] }) });
      const failed = await api.waitFor(name, (s) => s.status?.phase === SandboxPhase.SANDBOX_PHASE_ERROR, 60_000);
      const ready = failed.status?.conditions.find((condition) => condition.type === 'Ready');
      assert.equal(ready?.reason, 'MainProcessExited');
      assert.match(ready?.message ?? '', /\b7\b/);
    });

    it('logs: the main process output, tail and follow', async () => {
      const name = (await createReady('logs', ['sh', '-c', 'echo first; echo second; i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.2; done'])).metadata!.name;
      await sleep(1_000);
      const all = await cli(['sandbox', 'logs', name]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /first[\s\S]*second[\s\S]*tick1/);
      const tail = await cli(['sandbox', 'logs', name, '--tail', '2']);
      assert.equal(tail.stdout.trim().split('\n').length, 2, tail.stdout);
      const json = await cli(['sandbox', 'logs', name, '--source', 'main', '-o', 'json']);
      assert.match(json.stdout, /"source":\s*"sandbox"/);
      assert.match(json.stdout, /"shellgate.source":\s*"main"/);

      const follow = PtySession.start(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'sandbox', 'logs', name, '-f', '--tail', '1']);
      try {
        const first = Number((await follow.waitFor(/tick(\d+)/))[1]);
        await follow.waitFor(new RegExp(`tick${first + 3}\\b`));
        follow.write('\x03');
        assert.equal(await follow.waitForExit(), 130);
      } finally {
        follow.kill();
      }
    });

    it('refuses a forged token and another sandbox\'s token; the token shows nowhere', async () => {
      const first = await createReady('tok1');
      const second = await createReady('tok2');
      const firstId = first.metadata!.id;
      const token = tokenOf(firstId);
      const [header = '', payload = ''] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not-the-signature').toString('base64url')}`;
      assert.equal(await helloCode(firstId, forged), GrpcStatus.UNAUTHENTICATED, 'a forged signature is refused');
      assert.equal(await helloCode(second.metadata!.id, token), GrpcStatus.PERMISSION_DENIED, 'another sandbox\'s token is refused');

      const inspect = await engine.run(['inspect', await containerOf(firstId)]);
      assert.ok(!inspect.includes(token), `${engine.cli} inspect does not show the token`);
      const env = await cli(['sandbox', 'exec', first.metadata!.name, '--', 'env']);
      assert.ok(!env.stdout.includes(token), 'the sandbox env does not hold the token');
      const tokenFile = await cli(['sandbox', 'exec', first.metadata!.name, '--', 'sh', '-c', 'cat "$OPENSHELL_SANDBOX_TOKEN_FILE"']);
      assert.ok(!tokenFile.stdout.includes(token), 'an agent (root in this image) finds the token file emptied by the supervisor');
      assert.match(env.stdout, /OPENSHELL_SANDBOX_TOKEN_FILE=/);
      const listed = await cli(['sandbox', 'list', '-o', 'json']);
      assert.ok(!listed.stdout.includes(token), 'the API does not show the token');
      const logs = await cli(['sandbox', 'logs', first.metadata!.name, '-o', 'json']);
      assert.ok(!logs.stdout.includes(token), 'sandbox logs do not show the token');
      const engineLogs = await engine.run(['logs', await containerOf(firstId)]);
      assert.ok(!engineLogs.includes(token), 'the container output does not show the token');
      assert.ok(!gateway.lines.some((line) => line.includes(token)), 'the gateway log does not show the token');
    });

    /** The status code a hello with `token` for `sandboxId` ends with (OK = accepted). */
    async function helloCode(sandboxId: string, token: string): Promise<number> {
      const client = new SupervisorSessionClient(gateway.address, credentials.createInsecure());
      try {
        return await new Promise<number>((resolve) => {
          const stream = client.connect(new Metadata());
          const timer = setTimeout(() => {
            stream.cancel();
            resolve(-1);
          }, 10_000);
          stream.on('data', (message: GatewayMessage) => {
            if (message.payload?.$case === 'welcome') {
              clearTimeout(timer);
              stream.cancel();
              resolve(GrpcStatus.OK);
            }
          });
          stream.on('error', (error: ServiceError) => {
            clearTimeout(timer);
            resolve(error.code);
          });
          stream.write({ payload: { $case: 'hello', hello: { sandboxId, instanceId: 'e2e-probe', token, supervisorVersion: 'e2e', resumeOnlyIfFree: false } } });
        });
      } finally {
        client.close();
      }
    }
  });
}
