// Issue 10 item 8 on a real Docker engine: a sandbox tries to connect to another sandbox on
// the driver's network. Inter-container traffic is off on the managed network, so it cannot,
// while each sandbox still reaches the gateway's callback address (host traffic). A network
// left open by an older driver is refused, and `allow_sandbox_to_sandbox` opts back in.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { docker, requireDockerEngine } from '../docker/docker-engine.js';
import { e2eObjectName, removeNetwork } from '../docker/docker-driver-process.js';
import { E2E_RUN, RUN_LABEL, uniqueSandboxName } from '../docker/e2e-run.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DockerHostileGateway, execInContainer, toDockerGatewayLayout } from './docker-hostile-gateway.js';

const WAIT = '90s';
const SUITE_TIMEOUT_MS = 300_000;
const LISTEN_PORT = 8080;
const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

/** A TCP connect from inside a container: exit 0 once the peer accepted (and closed) it. */
function connectScript(host: string, port: string): string {
  return `echo probe | timeout 8 nc -w 3 ${host} ${port}`;
}

/** The callback port a sandbox is told (`OPENSHELL_ENDPOINT`), dialled on `host.openshell.internal`. */
const CONNECT_TO_GATEWAY = connectScript('host.openshell.internal', '"${OPENSHELL_ENDPOINT##*:}"');

interface Pair {
  readonly listener: string;
  readonly listenerIp: string;
  readonly dialer: string;
}

/** Sandbox A serves TCP on LISTEN_PORT (busybox httpd), sandbox B idles; both Ready. */
async function startPair(gw: DockerHostileGateway, label: string): Promise<Pair> {
  const create = async (name: string, command: readonly string[]): Promise<string> => {
    const result = await gw.cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), '--wait', '--timeout', WAIT, '-o', 'json']);
    assert.equal(result.code, 0, `create ${name} exited ${result.code}:\n${result.stderr}`);
    const created = JSON.parse(result.stdout) as { metadata: { id: string } };
    return gw.containerOf(created.metadata.id);
  };
  const listener = await create(uniqueSandboxName(`${label}a`), ['httpd', '-f', '-p', String(LISTEN_PORT)]);
  const dialer = await create(uniqueSandboxName(`${label}b`), ['sleep', '3600']);
  const listenerIp = await docker(['inspect', '--format', `{{(index .NetworkSettings.Networks "${gw.networkName}").IPAddress}}`, listener]);
  assert.match(listenerIp, /^\d+\.\d+\.\d+\.\d+$/);
  const self = await execInContainer(listener, connectScript('127.0.0.1', String(LISTEN_PORT)));
  assert.equal(self.code, 0, `sandbox A serves on ${LISTEN_PORT} (it reaches itself): ${self.stderr}`);
  return { listener, listenerIp, dialer };
}

export function registerHostileIsolationSuite(): void {
  describe('hostile sandbox: reaching another sandbox on the Docker network', { timeout: SUITE_TIMEOUT_MS }, () => {
    describe('by default', () => {
      let gw: DockerHostileGateway | undefined;

      before(async () => {
        await requireDockerEngine();
        gw = await DockerHostileGateway.start(toDockerGatewayLayout('iso'));
      });

      after(async () => {
        await gw?.close();
      });

      it('the managed network is created with inter-container traffic off', async () => {
        const options = JSON.parse(await docker(['network', 'inspect', '--format', '{{json .Options}}', gw!.networkName])) as Record<string, string>;
        assert.equal(options[ICC_OPTION], 'false');
      });

      it("a sandbox's TCP connection to another sandbox fails, and both still reach the gateway callback address", async () => {
        const pair = await startPair(gw!, 'iso');
        const attack = await execInContainer(pair.dialer, connectScript(pair.listenerIp, String(LISTEN_PORT)));
        assert.notEqual(attack.code, 0, `sandbox B connected to sandbox A at ${pair.listenerIp}:${LISTEN_PORT}`);
        for (const container of [pair.dialer, pair.listener]) {
          const callback = await execInContainer(container, CONNECT_TO_GATEWAY);
          assert.equal(callback.code, 0, `the sandbox reaches the gateway at host.openshell.internal: ${callback.stderr}`);
        }
      });
    });

    describe('on a network an older driver left open', () => {
      const openNetwork = e2eObjectName('iso-open');
      let gw: DockerHostileGateway | undefined;

      before(async () => {
        await requireDockerEngine();
        await docker(['network', 'create', '--label', `${RUN_LABEL}=${E2E_RUN}`, openNetwork]);
      });

      after(async () => {
        await gw?.close();
        await removeNetwork(openNetwork);
      });

      it('refuses it: the gateway does not start, and the error says how to fix it', async () => {
        const layout = toDockerGatewayLayout('iso-refused', { network_name: openNetwork });
        try {
          await assert.rejects(GatewayProcess.start({ stateDir: layout.stateDir, configToml: layout.configToml, readyTimeoutMs: 30_000 }), (error: Error) => {
            assert.match(error.message, /lets sandboxes reach each other/);
            assert.match(error.message, /allow_sandbox_to_sandbox/);
            return true;
          });
        } finally {
          rmSync(layout.stateDir, { recursive: true, force: true });
        }
      });

      it('with allow_sandbox_to_sandbox = true accepts it, and sandboxes reach each other', async () => {
        gw = await DockerHostileGateway.start(toDockerGatewayLayout('iso-open', { network_name: openNetwork, allow_sandbox_to_sandbox: true }));
        const pair = await startPair(gw, 'open');
        const connect = await execInContainer(pair.dialer, connectScript(pair.listenerIp, String(LISTEN_PORT)));
        assert.equal(connect.code, 0, `sandbox B reaches sandbox A when allowed: ${connect.stderr}`);
      });
    });
  });
}
