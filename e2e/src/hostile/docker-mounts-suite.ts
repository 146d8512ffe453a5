// Issue 10 item 6 on a real Docker engine: with `allow_bind_mounts = true`, a sandbox asks to
// mount host paths that would hand it the host: the engine socket, /etc through `..` or a
// symlink, the supervisor runtime every sandbox runs, the driver's and the gateway's state (every
// token, the signing key). Each is refused before anything is created; an ordinary directory
// still mounts, as its real path.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectContainer, requireDockerEngine } from '../docker/docker-engine.js';
import { uniqueSandboxName } from '../docker/e2e-run.js';
import { buildSupervisorRuntime } from '../docker/supervisor-runtime.js';
import { DockerHostileGateway, execInContainer, toDockerGatewayLayout } from './docker-hostile-gateway.js';

const SUITE_TIMEOUT_MS = 300_000;
/** `shellgate` exit codes: INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION. */
const EXIT_INVALID = 2;
const EXIT_NOT_FOUND = 3;
const EXIT_PRECONDITION = 4;

function bindConfig(source: string, target = '/data'): string {
  return JSON.stringify({ mounts: [{ type: 'bind', source, target, read_only: true }] });
}

export function registerHostileMountsSuite(): void {
  describe('hostile sandbox: bind-mounting host paths on Docker', { timeout: SUITE_TIMEOUT_MS }, () => {
    let gw: DockerHostileGateway | undefined;
    let hostDir = '';
    let runtimeDir = '';

    before(async () => {
      await requireDockerEngine();
      hostDir = realpathSync(mkdtempSync(join(tmpdir(), 'sg-e2e-binds-')));
      mkdirSync(join(hostDir, 'data'));
      writeFileSync(join(hostDir, 'data', 'hello.txt'), 'hello from the host\n');
      mkdirSync(join(hostDir, 'with:colon'));
      symlinkSync('/etc', join(hostDir, 'etc-link'));
      symlinkSync(join(hostDir, 'data'), join(hostDir, 'data-link'));
      // Outside every state dir: refused as the runtime, not as anyone's state.
      runtimeDir = buildSupervisorRuntime(mkdtempSync(join(tmpdir(), 'sg-e2e-binds-rt-')));
      gw = await DockerHostileGateway.start(toDockerGatewayLayout('binds', { allow_bind_mounts: true, inject_supervisor: true, supervisor_runtime_dir: runtimeDir }));
    });

    after(async () => {
      await gw?.close();
      for (const dir of [hostDir, runtimeDir]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    const attacks: readonly (readonly [string, () => string, number, RegExp])[] = [
      ['the Docker socket', () => '/var/run/docker.sock', EXIT_INVALID, /a container engine socket|a sensitive host directory/],
      ['/etc through ".."', () => `${hostDir}/data/../../../etc`, EXIT_INVALID, /is not normalized/],
      ['a symlink to /etc', () => join(hostDir, 'etc-link'), EXIT_INVALID, /\(real path "\/etc"\) is at or under "\/etc"/],
      ['the supervisor runtime every sandbox runs', () => runtimeDir, EXIT_INVALID, /the supervisor runtime every sandbox runs/],
      ["the driver's state dir (every sandbox's token)", () => gw!.layout.driverStateDir, EXIT_INVALID, /the driver's state directory/],
      ["the gateway's signing key", () => join(gw!.layout.stateDir, 'keys'), EXIT_INVALID, /the gateway's state directory/],
      ['a path with ":"', () => join(hostDir, 'with:colon'), EXIT_INVALID, /contains ":" or ","/],
      ['a path that does not exist', () => join(hostDir, 'missing'), EXIT_PRECONDITION, /does not exist/],
    ];
    for (const [what, source, exitCode, reason] of attacks) {
      it(`refuses ${what}, naming the field, and creates nothing`, async () => {
        const name = uniqueSandboxName('bind');
        const result = await gw!.cli(['sandbox', 'create', name, '--driver', 'docker', '--driver-config', bindConfig(source()), '-o', 'json']);
        assert.equal(result.code, exitCode, `create exited ${result.code}:\n${result.stdout}${result.stderr}`);
        assert.match(result.stderr, /spec\.template\.driver_config\.docker\.mounts\[0\]\.source/);
        assert.match(result.stderr, reason);
        assert.equal((await gw!.cli(['sandbox', 'get', name])).code, EXIT_NOT_FOUND, 'no sandbox was recorded');
        assert.deepEqual(await gw!.containers(), [], 'no container was created');
      });
    }

    it('mounts an ordinary directory, given through a symlink, as its real path', async () => {
      const name = uniqueSandboxName('bindok');
      const result = await gw!.cli(['sandbox', 'create', name, '--driver', 'docker', '--driver-config', bindConfig(join(hostDir, 'data-link')), '--wait', '--timeout', '90s', '-o', 'json']);
      assert.equal(result.code, 0, `create exited ${result.code}:\n${result.stderr}`);
      const created = JSON.parse(result.stdout) as { metadata: { id: string } };
      const containerId = await gw!.containerOf(created.metadata.id);
      const mount = (await inspectContainer(containerId)).Mounts.find((entry) => entry.Destination === '/data');
      assert.deepEqual(mount && { source: mount.Source, rw: mount.RW }, { source: join(hostDir, 'data'), rw: false });
      const read = await execInContainer(containerId, 'cat /data/hello.txt');
      assert.equal(read.stdout, 'hello from the host\n', read.stderr);
      assert.equal((await gw!.cli(['sandbox', 'delete', name, '--wait', '--timeout', '90s'])).code, 0);
    });
  });
}
