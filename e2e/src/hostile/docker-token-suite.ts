// Issue 10, items 1 and 3, on a real Docker engine, tried as an attacker in the sandbox would:
// the agent (main process or exec, root or not) never reads the sandbox token, neither from
// the file nor from the supervisor's memory; a session opened with a stolen token can neither
// keep the real supervisor out nor fail the sandbox; and an operator can always stop and start
// a sandbox that is wedged or failed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase, SandboxSpec, type Sandbox } from '@shellgate/api';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { runCli, type CliResult } from '../harness/run-cli.js';
import { defaultDriverConfig, removeNetwork, toTomlLines, type DriverConfigValue } from '../docker/docker-driver-process.js';
import { containersWithLabel, docker, requireDockerEngine } from '../docker/docker-engine.js';
import { E2E_RUN, GATEWAY_ID_LABEL, RUN_LABEL, SANDBOX_ID_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { buildSupervisorRuntime } from '../docker/supervisor-runtime.js';
import { StolenTokenSession } from './stolen-token-session.js';

const WAIT = '90s';
/** Short, so a lost session is noticed within a second or two. */
const HEARTBEAT_MS = 300;
const TOKEN_FILE = '/run/shellgate/sandbox-token';
/** What the main process prints of the token file before idling: the attack, from PID 1's child. */
const READ_TOKEN_THEN_IDLE = ['sh', '-c', `echo "main-read=[$(cat ${TOKEN_FILE} 2>&1)]"; sleep 3600`];
/** The real supervisor resumes with a backoff of 1 s doubling to 30 s; this bounds its return. */
const RESUME_BOUND_MS = 45_000;
const { SANDBOX_PHASE_READY: READY, SANDBOX_PHASE_ERROR: ERROR, SANDBOX_PHASE_STOPPED: STOPPED, SANDBOX_PHASE_PROVISIONING: PROVISIONING } = SandboxPhase;

export function registerHostileTokenSuite(): void {
  describe('hostile sandbox: the sandbox token (Docker)', () => {
    let gateway: GatewayProcess;
    let api: ApiClient;
    let stateDir = '';
    let driverStateDir = '';
    let networkName = '';
    let gatewayId = '';
    let userImage = '';

    before(async () => {
      await requireDockerEngine();
      stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-token-'));
      const runtimeDir = buildSupervisorRuntime(join(stateDir, 'runtime'));
      driverStateDir = join(stateDir, 'docker-driver');
      const driverConfig: Record<string, DriverConfigValue> = { ...defaultDriverConfig('token', driverStateDir), inject_supervisor: true, supervisor_runtime_dir: runtimeDir };
      networkName = String(driverConfig.network_name);
      const configToml = [
        `supervisor_heartbeat_ms = ${HEARTBEAT_MS}`,
        '[drivers.docker]',
        `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
        ...toTomlLines(driverConfig),
      ].join('\n');
      gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 30_000 });
      api = new ApiClient(gateway.address);
      const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
      gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
      userImage = `shellgate-test/busybox-user:${uniqueSandboxName('img')}`;
      const base = await docker(['create', '--label', `${RUN_LABEL}=${E2E_RUN}`, 'shellgate-test/busybox:1']);
      try {
        await docker(['commit', '--change', 'USER 1234:1234', base, userImage]);
      } finally {
        await docker(['rm', '-f', base]);
      }
    });

    after(async () => {
      if (gateway === undefined) return;
      for (const sandbox of await api.list().catch(() => [])) await api.delete(sandbox.metadata!.name).catch(() => false);
      api.close();
      await gateway.stop();
      const leftovers = gatewayId === '' ? [] : await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
      if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
      if (userImage !== '') await docker(['rmi', '-f', userImage]).catch(() => undefined);
      await removeNetwork(networkName);
      gateway.removeState();
    });

    function cli(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
      return runCli(['--gateway', gateway.address, ...args], {}, timeoutMs);
    }

    async function exec(name: string, script: string): Promise<CliResult> {
      return cli(['sandbox', 'exec', name, '--', 'sh', '-c', script]);
    }

    async function createReady(label: string, command: readonly string[], extra: readonly string[] = []): Promise<Sandbox> {
      const name = uniqueSandboxName(label);
      const result = await cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), ...extra, '--wait', '--timeout', WAIT, '-o', 'json']);
      assert.equal(result.code, 0, `create ${name} exited ${result.code}:\n${result.stderr}`);
      return JSON.parse(result.stdout) as Sandbox;
    }

    /** The JWT as the driver keeps it on the host: what an attacker who got at the state dir holds. */
    function keptToken(sandboxId: string): string {
      const token = readFileSync(join(driverStateDir, 'sandboxes', sandboxId, 'token.kept'), 'utf8').trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the kept token is a JWT');
      return token;
    }

    async function mainOutput(name: string, marker: string): Promise<string> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const logs = await cli(['sandbox', 'logs', name, '--source', 'main']);
        if (logs.stdout.includes(marker) || Date.now() > deadline) return logs.stdout;
        await sleep(200);
      }
    }

    function phaseIs(phase: SandboxPhase): (sandbox: Sandbox) => boolean {
      return (sandbox) => sandbox.status?.phase === phase;
    }

    it('a root image: the main process and execs, as root, find the token file empty; the JWT shows in nothing they print', async () => {
      const sandbox = await createReady('root', READ_TOKEN_THEN_IDLE);
      const name = sandbox.metadata!.name;
      const token = keptToken(sandbox.metadata!.id);
      assert.match(await mainOutput(name, 'main-read='), /main-read=\[\]/);
      const read = await exec(name, `id -u; cat ${TOKEN_FILE}; echo "rc=$?"; wc -c < ${TOKEN_FILE}`);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(read.stdout, '0\nrc=0\n0\n', 'root in the sandbox reads an empty file');
      const everywhere = await exec(name, `grep -rl -e ${JSON.stringify(token.slice(-24))} /run /tmp /etc /root /home 2>/dev/null; echo searched`);
      assert.equal(everywhere.stdout, 'searched\n');
      assert.ok(![read.stdout, read.stderr, everywhere.stdout].some((text) => text.includes(token)));
    });

    it('a non-root USER image: the main process and execs cannot read the token file, and never get the JWT', async () => {
      const sandbox = await createReady('user', READ_TOKEN_THEN_IDLE, ['--image', userImage]);
      const name = sandbox.metadata!.name;
      const token = keptToken(sandbox.metadata!.id);
      const main = await mainOutput(name, 'main-read=');
      assert.match(main, /main-read=\[(|.*Permission denied.*)\]/);
      const read = await exec(name, `id -u; cat ${TOKEN_FILE}`);
      assert.equal(read.stdout, '1234\n');
      assert.match(read.stderr, /Permission denied/);
      assert.ok(![main, read.stdout, read.stderr].some((text) => text.includes(token)));
    });

    it("root in the sandbox cannot read the supervisor's memory or environ (non-dumpable), but can read an ordinary process's", async () => {
      const sandbox = await createReady('mem', ['sleep', '3600']);
      const name = sandbox.metadata!.name;
      const token = keptToken(sandbox.metadata!.id);
      // tini is PID 1 and the supervisor its one child; `sleep &` is the control: an ordinary root process.
      const attack = await exec(name, [
        'S=$(cut -d" " -f1 /proc/1/task/1/children)',
        'tr "\\0" " " < /proc/$S/cmdline; echo',
        'head -c 64 /proc/$S/environ >/dev/null 2>&1 && echo supervisor-environ=read || echo supervisor-environ=denied',
        'dd if=/proc/$S/mem of=/dev/null bs=1 count=1 2>&1 | grep -q "Permission denied" && echo supervisor-mem=denied || echo supervisor-mem=open',
        'sleep 30 & C=$!',
        'head -c 64 /proc/$C/environ >/dev/null 2>&1 && echo control-environ=read || echo control-environ=denied',
        'dd if=/proc/$C/mem of=/dev/null bs=1 count=1 2>&1 | grep -q "Permission denied" && echo control-mem=denied || echo control-mem=open',
        'kill $C',
      ].join('\n'));
      assert.match(attack.stdout, /supervisor\.cjs/, `found the supervisor:\n${attack.stdout}${attack.stderr}`);
      assert.match(attack.stdout, /supervisor-environ=denied/);
      assert.match(attack.stdout, /supervisor-mem=denied/);
      assert.match(attack.stdout, /control-environ=read/, 'the check can tell: an ordinary process is readable');
      assert.match(attack.stdout, /control-mem=open/);
      const grep = await exec(name, `S=$(cut -d" " -f1 /proc/1/task/1/children); cat /proc/$S/environ /proc/$S/mem 2>&1 | grep -c -e ${JSON.stringify(token.slice(-24))}; true`);
      assert.equal(grep.stdout.trim(), '0', `the JWT is nowhere in what root could read of the supervisor (exit ${grep.code}): ${grep.stderr}`);
    });

    it('a session with a stolen token supersedes the supervisor but cannot fail the sandbox; once it ends the supervisor is back', async () => {
      const sandbox = await createReady('stolen', ['sleep', '3600']);
      const { id, name } = sandbox.metadata!;
      const usurper = StolenTokenSession.open(gateway.address, id, keptToken(id), 'usurper');
      try {
        await usurper.welcome();
        usurper.reportMainProcessExited(1);
        await waitForLog((entry) => entry.sandboxId === id && entry.message === 'main process exit reported by a supervisor instance that did not start it; ignored');
        // The real supervisor asks to resume meanwhile and is refused: nobody takes the session back and forth.
        await sleep(3_000);
        assert.equal(usurper.isSuperseded, false, 'the real supervisor does not take the session back while the usurper holds it');
        const held = await api.get(name);
        assert.equal(held.status?.phase, READY, 'the fake exit did not put the sandbox in Error');
        assert.equal(held.status?.exitCode, undefined);
      } finally {
        usurper.end();
      }
      const backAt = Date.now();
      await api.waitFor(name, (s) => s.status?.phase !== READY, 10_000).catch(() => undefined);
      await api.waitFor(name, phaseIs(READY), RESUME_BOUND_MS);
      const resumed = gateway.entries((entry) => entry.message === 'supervisor session opened' && entry.sandboxId === id && entry.instanceId !== 'usurper');
      assert.ok(resumed.length >= 2, 'the real supervisor opened a session again');
      assert.ok(Date.now() - backAt < RESUME_BOUND_MS);
      const works = await exec(name, 'echo still-mine');
      assert.equal(works.stdout, 'still-mine\n', works.stderr);
    });

    it('an operator stops and starts a sandbox whose supervisor is gone (Provisioning); the new run gets its token again', async () => {
      const sandbox = await createReady('wedged', ['sleep', '3600']);
      const { id, name } = sandbox.metadata!;
      const [container] = await containersWithLabel(SANDBOX_ID_LABEL, id);
      assert.ok(container !== undefined);
      const initPid = JSON.parse(await docker(['inspect', '--format', '{{json .State.Pid}}', container])) as number;
      const supervisorPid = Number(readFileSync(`/proc/${initPid}/task/${initPid}/children`, 'utf8').trim().split(/\s+/)[0]);
      process.kill(supervisorPid, 'SIGSTOP');
      await api.waitFor(name, phaseIs(PROVISIONING), 15_000);
      await api.stop(name);
      await api.waitFor(name, phaseIs(STOPPED), 30_000);
      await api.start(name);
      await api.waitFor(name, phaseIs(READY), 60_000);
      const read = await exec(name, `wc -c < ${TOKEN_FILE}; echo ok`);
      assert.equal(read.stdout, '0\nok\n', 'the new supervisor took the delivered token and emptied the file again');
    });

    it('an operator stops an Error sandbox, and starts one: Error clears once the new run is up', async () => {
      // The first run exits 3 (Error); the container's layer keeps the marker, so the next run stays up.
      const failOnce = ['sh', '-c', 'if [ -e /tmp/ran-once ]; then sleep 3600; else touch /tmp/ran-once; exit 3; fi'];
      const restarted = uniqueSandboxName('errstart');
      await api.create({ name: restarted, spec: SandboxSpec.fromPartial({ command: failOnce }) });
      const failed = await api.waitFor(restarted, phaseIs(ERROR), 60_000);
      assert.equal(failed.status?.exitCode, 3);
      // Error comes with the exit report, a moment before the container ends: a start before
      // that would find it still running (a no-op), so start once it has stopped, as an operator would.
      await waitForContainerExit(failed.metadata!.id);
      await api.start(restarted);
      const ready = await api.waitFor(restarted, phaseIs(READY), 60_000);
      assert.equal(ready.status?.conditions.find((c) => c.type === 'Ready')?.status, 'True');
      await api.waitFor(restarted, (s) => s.status?.exitCode === undefined, 10_000);
      assert.equal((await exec(restarted, 'echo up')).stdout, 'up\n');

      const stopped = uniqueSandboxName('errstop');
      await api.create({ name: stopped, spec: SandboxSpec.fromPartial({ command: ['sh', '-c', 'exit 4'] }) });
      await api.waitFor(stopped, phaseIs(ERROR), 60_000);
      await api.stop(stopped);
      await api.waitFor(stopped, phaseIs(STOPPED), 30_000);
    });

    async function waitForContainerExit(sandboxId: string): Promise<void> {
      const [container] = await containersWithLabel(SANDBOX_ID_LABEL, sandboxId);
      assert.ok(container !== undefined, `a container for sandbox ${sandboxId}`);
      const deadline = Date.now() + 15_000;
      while ((await docker(['inspect', '--format', '{{.State.Running}}', container])) === 'true') {
        if (Date.now() > deadline) throw new Error(`the container of ${sandboxId} still runs after 15 s`);
        await sleep(100);
      }
    }

    async function waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (gateway.entries(predicate).length === 0) {
        if (Date.now() > deadline) throw new Error(`no such gateway log line within ${timeoutMs} ms`);
        await sleep(50);
      }
    }
  });
}
