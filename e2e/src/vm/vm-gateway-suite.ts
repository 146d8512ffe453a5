// Issue 12 on real QEMU: the gateway spawns the VM driver, which boots one micro-VM per sandbox
// from the busybox test image (no Node in it) with the supervisor on a runtime disk. Checked
// the way an operator meets them, through the CLI and the API: Ready, exec (exit code, stdin,
// tty), logs, stop and start keeping the disk, delete; a VM killed behind the driver's back;
// the driver killed with SIGKILL and found its VMs again; four creates at once; the token
// nowhere on the host's process list, the logs or the guest's kernel command line; no host
// port but the gateway's within reach; and QEMU confined (own uid, process cap, seccomp).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { TEST_IMAGE, toTomlLines } from '../container/e2e-driver-config.js';
import { uniqueSandboxName } from '../docker/e2e-run.js';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { CLI_BIN, VM_DRIVER_BIN } from '../harness/paths.js';
import { PtySession } from '../harness/pty-session.js';
import { runCli, runCliWithInput } from '../harness/run-cli.js';
import type { CliResult } from '../harness/run-cli.js';
import { VM_CACHE_DIR, e2eRunDir, killQemuUnder, qemuPidsUnder, requireVmEngine } from './vm-engine.js';

const WAIT = '120s';
/** Heartbeats of a supervisor in a VM under TCG on a busy machine: short enough, not flaky. */
const HEARTBEAT_MS = 2000;
/** A main process that logs a line and then idles. */
const IDLE = ['sh', '-c', 'echo vm-main-started; exec sleep 36000'];
/** driver_config.vm of the stop/start sandbox: two vCPUs, 768 MiB and an extra disk. */
const SIZED_VM = JSON.stringify({ vcpus: 2, memory: '768Mi', disks: [{ target: '/data', size: '256Mi' }] });

interface VmSandboxState {
  readonly process?: { readonly pid: number };
}

export function registerVmGatewaySuite(): void {
  describe('VM sandboxes through the gateway and the CLI (real QEMU)', () => {
    let gateway: GatewayProcess;
    let api: ApiClient;
    let stateDir = '';
    let driverStateDir = '';
    let runDir = '';
    let cleanupOnTermination: TerminationCleanupHandle | undefined;
    /** Created in parallel in before(): booting them one by one would triple the wait. */
    const names = { main: '', stopStart: '', killed: '' };

    before(async () => {
      await requireVmEngine();
      stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-vmgw-'));
      driverStateDir = join(stateDir, 'vm-driver');
      runDir = e2eRunDir('gw');
      const driverConfig = { default_image: TEST_IMAGE, state_dir: driverStateDir, cache_dir: VM_CACHE_DIR, run_dir: runDir, stop_timeout_seconds: 2 };
      const configToml = [
        `supervisor_heartbeat_ms = ${HEARTBEAT_MS}`,
        '[drivers.vm]',
        `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(VM_DRIVER_BIN)}]`,
        ...toTomlLines(driverConfig),
      ].join('\n');
      gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 60_000 });
      cleanupOnTermination = addTerminationCleanup(async () => {
        await gateway.stop();
        killQemuUnder(runDir);
      });
      api = new ApiClient(gateway.address);
      names.main = uniqueSandboxName('main');
      names.stopStart = uniqueSandboxName('stop');
      names.killed = uniqueSandboxName('kill');
      // The stop/start sandbox also sizes its VM and adds a disk through driver_config.vm.
      await Promise.all(Object.values(names).map((name) => createReady(name, IDLE, name === names.stopStart ? ['--driver', 'vm', '--driver-config', SIZED_VM] : [])));
    });

    after(async () => {
      cleanupOnTermination?.forget();
      if (gateway === undefined) return;
      for (const sandbox of await api.list().catch(() => [])) await api.delete(sandbox.metadata!.name).catch(() => false);
      api.close();
      await gateway.stop();
      killQemuUnder(runDir);
      rmSync(runDir, { recursive: true, force: true });
      gateway.removeState();
    });

    function cli(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
      return runCli(['--gateway', gateway.address, ...args], {}, timeoutMs);
    }

    async function createReady(name: string, command: readonly string[] = IDLE, extra: readonly string[] = []): Promise<{ sandbox: Sandbox; ms: number }> {
      const startedAt = Date.now();
      const result = await cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), ...extra, '--wait', '--timeout', WAIT, '-o', 'json'], 180_000);
      assert.equal(result.code, 0, `create ${name} exited ${result.code}:\n${result.stderr}\n--- gateway log (tail) ---\n${gateway.lines.slice(-30).join('\n')}`);
      return { sandbox: JSON.parse(result.stdout) as Sandbox, ms: Date.now() - startedAt };
    }

    function idOf(name: string): Promise<string> {
      return api.get(name).then((sandbox) => sandbox.metadata!.id);
    }

    function stateOf(sandboxId: string): VmSandboxState {
      return JSON.parse(readFileSync(join(driverStateDir, 'sandboxes', sandboxId, 'state.json'), 'utf8')) as VmSandboxState;
    }

    function tokenOf(sandboxId: string): string {
      return readFileSync(join(driverStateDir, 'sandboxes', sandboxId, 'token'), 'utf8').trim();
    }

    function driverPid(): number {
      const ready = gateway.entries((entry) => entry.message === 'driver ready' && entry.driver === 'vm');
      const pid = ready.at(-1)?.pid;
      assert.equal(typeof pid, 'number', 'the gateway logged the driver pid');
      return pid as number;
    }

    it('create through the CLI reaches Ready only with a supervisor session, from an image without Node', async () => {
      const sandbox = await api.get(names.main);
      assert.equal(sandbox.status?.phase, SandboxPhase.SANDBOX_PHASE_READY);
      const id = sandbox.metadata!.id;
      assert.ok(gateway.entries((entry) => entry.message === 'supervisor session opened' && entry.sandboxId === id).length >= 1, 'the session opened');
      const node = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', 'command -v node || echo no-node']);
      assert.equal(node.stdout, 'no-node\n', 'the image has no node; the supervisor runs from the runtime disk');
      const kernel = await cli(['sandbox', 'exec', names.main, '--', 'uname', '-r']);
      assert.notEqual(kernel.stdout.trim(), execFileSync('uname', ['-r']).toString().trim(), 'the sandbox runs its own kernel');
      // PID 1 is our /init, which reaps what agents orphan.
      assert.equal((await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', '(sleep 0.2 &); exit 0'])).code, 0);
      await sleep(1_000);
      const states = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', 'cat /proc/[0-9]*/stat']);
      assert.doesNotMatch(states.stdout, /\) Z /, 'no zombie left behind');
    });

    it('exec passes the exit code, stdin and a terminal', async () => {
      const code = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
      assert.equal(code.code, 7, code.stderr);
      assert.equal(code.stdout, 'out\n');
      assert.match(code.stderr, /err/);

      const stdin = await runCliWithInput(['--gateway', gateway.address, 'sandbox', 'exec', '-i', names.main, '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'vm stdin\n');
      assert.equal(stdin.code, 0, stdin.stderr);
      assert.equal(stdin.stdout, 'VM STDIN\ndone\n');

      const session = PtySession.start(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'sandbox', 'exec', '-i', '-t', names.main, '--', 'sh'], { cols: 90, rows: 20 });
      try {
        // The shell starts in a VM: type only once its prompt shows, or ash drops the line.
        await session.waitFor(/# /, 60_000);
        session.write('stty size; tty\r');
        await session.waitFor(/20 90/, 30_000);
        await session.waitFor(/\/dev\/pts\/\d+/, 30_000);
        session.write('exit 4\r');
        assert.equal(await session.waitForExit(), 4, 'exec -it exits with the shell\'s code');
      } finally {
        session.kill();
      }
    });

    it('logs show the main process output', async () => {
      const deadline = Date.now() + 30_000;
      let logs = await cli(['sandbox', 'logs', names.main]);
      while (!logs.stdout.includes('vm-main-started') && Date.now() < deadline) {
        await sleep(500);
        logs = await cli(['sandbox', 'logs', names.main]);
      }
      assert.match(logs.stdout, /vm-main-started/);
    });

    it('the agent cannot read the token, and it is on no host command line, in no log, not on the guest kernel command line and not left on a disk', async () => {
      const id = await idOf(names.main);
      const token = tokenOf(id);
      assert.ok(token.length > 20, 'the driver holds the token');
      const hostArgs = execFileSync('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 }).toString();
      assert.ok(!hostArgs.includes(token), 'not in any host command line (ps)');
      assert.ok(!gateway.lines.some((line) => line.includes(token)), 'not in the gateway or driver log');
      const cmdline = await cli(['sandbox', 'exec', names.main, '--', 'cat', '/proc/cmdline']);
      assert.equal(cmdline.code, 0, cmdline.stderr);
      assert.ok(!cmdline.stdout.includes(token) && cmdline.stdout.includes('console=ttyS0'), 'not on the guest kernel command line');
      const file = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', 'wc -c < /run/shellgate/sandbox-token; id -u']);
      assert.equal(file.stdout, '0\n0\n', 'root in the guest finds the token file emptied by the supervisor');
      // Nor the supervisor's memory: /init sets yama's ptrace_scope to 3, so even root cannot open /proc/PID/mem.
      const memory = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c',
        'for p in /proc/[0-9]*; do grep -q supervisor.cjs $p/cmdline 2>/dev/null && { cat $p/mem 2>&1 | head -c 200; echo; }; done']);
      assert.match(memory.stdout, /Permission denied|Operation not permitted/, `the supervisor's memory is closed to root in the guest:\n${memory.stdout}`);
      // The config disk that carried it is zeroed by /init; no process has it in its environment.
      const probe = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c',
        'for b in /sys/block/vd*; do [ "$(cat $b/serial)" = sg-config ] && tr -d "\\000" < /dev/${b##*/} | wc -c; done; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\000" "\\n" | grep -c "eyJ" || true']);
      assert.equal(probe.code, 0, probe.stderr);
      assert.deepEqual(probe.stdout.trim().split('\n'), ['0', '0'], 'the config disk holds only zeroes and no environment holds a JWT');
    });

    it('a sandbox reaches the gateway and no other host port, and not the internet', async () => {
      const listeners: Server[] = [];
      try {
        const ports: number[] = [];
        for (const host of ['127.0.0.1', '127.0.0.2']) {
          const server = createServer((socket) => socket.end('host-service\n'));
          await new Promise<void>((resolve) => server.listen(0, host, resolve));
          listeners.push(server);
          ports.push((server.address() as { port: number }).port);
        }
        const gatewayPort = Number(gateway.address.split(':').at(-1));
        const script = [
          ...ports.map((port) => `nc -w 3 10.0.2.2 ${port} </dev/null && echo reached-${port} || echo refused-${port}`),
          ...ports.map((port) => `nc -w 3 host.openshell.internal ${port} </dev/null && echo reached-gw-name-${port} || echo refused-gw-name-${port}`),
          'nc -w 3 1.1.1.1 80 </dev/null && echo reached-internet || echo no-internet',
          `echo | nc -w 3 host.openshell.internal ${gatewayPort} >/dev/null && echo reached-gateway || echo no-gateway`,
        ].join('; ');
        const result = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', script]);
        for (const port of ports) {
          assert.match(result.stdout, new RegExp(`refused-${port}\\b`), `the host port ${port} is out of reach:\n${result.stdout}`);
          assert.match(result.stdout, new RegExp(`refused-gw-name-${port}\\b`), `only the gateway port is forwarded:\n${result.stdout}`);
        }
        assert.match(result.stdout, /no-internet/);
        assert.match(result.stdout, /reached-gateway/);
      } finally {
        for (const server of listeners) server.close();
      }
    });

    it('each VM runs as a uid of its own, capped at 256 host processes, so a guest cannot fork connectors without end', async () => {
      const pid = stateOf(await idOf(names.main)).process!.pid;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      assert.ok(uid !== undefined && uid !== '0', 'QEMU does not run as root');
      const otherPid = stateOf(await idOf(names.stopStart)).process!.pid;
      assert.notEqual(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${otherPid}/status`, 'utf8'))?.[1], uid, 'another VM has another uid');
      // Every guest connection to the gateway forward forks a connector as this uid; RLIMIT_NPROC caps them.
      assert.match(readFileSync(`/proc/${pid}/limits`, 'utf8'), /^Max processes\s+256\s+256\s+processes/m);
      assert.match(status, /^Seccomp:\s+2/m, 'QEMU runs under its seccomp filter');
    });

    it('driver_config.vm sizes the VM and adds a disk; stop then start keeps files written before the stop', async () => {
      const sized = await cli(['sandbox', 'exec', names.stopStart, '--', 'sh', '-c', 'nproc; grep MemTotal /proc/meminfo; grep " /data " /proc/mounts']);
      assert.equal(sized.code, 0, sized.stderr);
      const [vcpus, memory, disk] = sized.stdout.trim().split('\n');
      assert.equal(vcpus, '2');
      const memoryKb = Number(/(\d+) kB/.exec(memory ?? '')?.[1]);
      assert.ok(memoryKb > 600_000 && memoryKb <= 768 * 1024, `guest RAM is about 768 MiB (${memory})`);
      assert.match(disk ?? '', /^\/dev\/vd\w+ \/data ext4 rw/, 'the extra disk is mounted at /data');
      const write = await cli(['sandbox', 'exec', names.stopStart, '--', 'sh', '-c', 'echo kept-across-stop > /root/kept; echo on-the-extra-disk > /data/kept']);
      assert.equal(write.code, 0, write.stderr);
      const id = await idOf(names.stopStart);
      const pid = stateOf(id).process?.pid;
      const stop = await cli(['sandbox', 'stop', names.stopStart, '--wait', '--timeout', WAIT]);
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal((await api.get(names.stopStart)).status?.phase, SandboxPhase.SANDBOX_PHASE_STOPPED);
      assert.ok(pid !== undefined && !qemuPidsUnder(runDir).includes(pid), 'the VM powered off');
      assert.equal(stateOf(id).process, undefined, 'the state file no longer names a process');
      const start = await cli(['sandbox', 'start', names.stopStart, '--wait', '--timeout', WAIT]);
      assert.equal(start.code, 0, start.stderr);
      const read = await cli(['sandbox', 'exec', names.stopStart, '--', 'cat', '/root/kept', '/data/kept']);
      assert.equal(read.stdout, 'kept-across-stop\non-the-extra-disk\n', read.stderr);
    });

    it('a VM killed behind the driver\'s back shows its end as an Error with the reason', async () => {
      const id = await idOf(names.killed);
      const pid = stateOf(id).process?.pid;
      assert.ok(pid !== undefined && qemuPidsUnder(runDir).includes(pid), 'the state file names the running QEMU');
      process.kill(pid, 'SIGKILL');
      const failed = await api.waitFor(names.killed, (sandbox) => sandbox.status?.phase === SandboxPhase.SANDBOX_PHASE_ERROR, 30_000);
      const ready = failed.status?.conditions.find((condition) => condition.type === 'Ready');
      assert.equal(ready?.reason, 'ContainerExited');
      assert.match(ready?.message ?? '', /QEMU was killed by SIGKILL/);
    });

    it('the driver killed with SIGKILL comes back, lists its VMs and exec still works', async () => {
      const before = qemuPidsUnder(runDir).sort();
      const oldPid = driverPid();
      process.kill(oldPid, 'SIGKILL');
      const deadline = Date.now() + 60_000;
      while (driverPid() === oldPid && Date.now() < deadline) await sleep(200);
      assert.notEqual(driverPid(), oldPid, 'the gateway restarted the driver');
      assert.deepEqual(qemuPidsUnder(runDir).sort(), before, 'every VM outlived the driver');
      const listed = await cli(['sandbox', 'list', '-o', 'json']);
      const { sandboxes } = JSON.parse(listed.stdout) as { sandboxes: Sandbox[] };
      for (const name of [names.main, names.stopStart]) {
        assert.equal(sandboxes.find((sandbox) => sandbox.metadata?.name === name)?.status?.phase, 'SANDBOX_PHASE_READY', `${name} is listed Ready`);
      }
      const exec = await cli(['sandbox', 'exec', names.main, '--', 'sh', '-c', 'echo after-driver-restart']);
      assert.equal(exec.stdout, 'after-driver-restart\n', exec.stderr);
      assert.ok(gateway.entries((entry) => entry.message === 'found a running VM again').length >= 2, 'the new driver found the VMs');
    });

    it('four creates at once are all Ready, and deleting them ends their VMs and removes their disks', async () => {
      const burst = Array.from({ length: 4 }, () => uniqueSandboxName('burst'));
      const results = await Promise.all(burst.map((name) => createReady(name)));
      const seconds = results.map(({ ms }) => (ms / 1000).toFixed(1));
      process.stdout.write(`# 4 VM sandboxes created at once, each Ready after (s, CLI included): ${seconds.join(' ')}\n`);
      const ids = await Promise.all(burst.map((name) => idOf(name)));
      const pids = ids.map((id) => stateOf(id).process?.pid);
      await Promise.all(burst.map((name) => cli(['sandbox', 'delete', name])));
      for (const [index, id] of ids.entries()) {
        assert.ok(!existsSync(join(driverStateDir, 'sandboxes', id)), `the disks of ${burst[index]} are removed`);
        assert.ok(!qemuPidsUnder(runDir).includes(pids[index]!), `the VM of ${burst[index]} ended`);
      }
    });

    it('delete removes the sandboxes, their VMs and their run directories', async () => {
      for (const name of Object.values(names)) {
        const deleted = await cli(['sandbox', 'delete', name]);
        assert.equal(deleted.code, 0, deleted.stderr);
      }
      assert.deepEqual(qemuPidsUnder(runDir), [], 'no QEMU left');
      assert.deepEqual(readdirSync(join(driverStateDir, 'sandboxes')), [], 'no sandbox files left');
      assert.deepEqual(readdirSync(runDir), [], 'no run directory left');
    });
  });
}
