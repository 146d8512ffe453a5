// Issue 10's rules on the Podman driver, against a real Podman: a sandbox cannot connect to
// another on the driver's bridge (every bridge port isolated), still reaches the gateway's
// callback address, and `allow_sandbox_to_sandbox` opts back in.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriverClient } from '@shellgate/driver-sdk';
import { DriverProcess } from '../container/driver-process.js';
import { containerOf, deleteSandboxes, isReady, newDriverSandbox, waitForSandbox } from '../container/driver-sandbox.js';
import { PODMAN_ENGINE, podman } from './podman-engine.js';

const LISTEN_PORT = 8080;

/** A TCP connect from inside a container: exit 0 once the peer accepted it. */
function connectScript(host: string, port: number): string {
  return `echo probe | timeout 8 nc -w 3 ${host} ${port}`;
}

async function execIn(containerId: string, script: string): Promise<number> {
  return (await PODMAN_ENGINE.runResult(['exec', containerId, 'sh', '-c', script], 30_000)).code;
}

/** The bridge device of a netavark network (`podman1`, ...). */
async function bridgeOf(networkName: string): Promise<string> {
  const [network] = JSON.parse(await podman(['network', 'inspect', networkName])) as { network_interface: string }[];
  assert.ok(network !== undefined && network.network_interface !== '', `network ${networkName} has a bridge device`);
  return network.network_interface;
}

interface Pair {
  readonly listener: string;
  readonly listenerIp: string;
  readonly dialer: string;
}

/** Sandbox A serves TCP on LISTEN_PORT (busybox httpd), sandbox B idles; both Ready. */
async function startPair(client: DriverClient, created: Set<string>, networkName: string): Promise<Pair> {
  const create = async (label: string, command: string[]): Promise<string> => {
    const sandbox = newDriverSandbox(label, { command });
    created.add(sandbox.id);
    await client.createSandbox(sandbox);
    await waitForSandbox(client, sandbox.id, 'Ready=True', isReady, 60_000);
    return containerOf(PODMAN_ENGINE, sandbox.id);
  };
  const listener = await create('listen', ['httpd', '-f', '-p', String(LISTEN_PORT)]);
  const dialer = await create('dial', ['sleep', '3600']);
  const listenerIp = await podman(['inspect', '--format', `{{(index .NetworkSettings.Networks "${networkName}").IPAddress}}`, listener]);
  assert.match(listenerIp, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(await execIn(listener, connectScript('127.0.0.1', LISTEN_PORT)), 0, 'sandbox A serves (it reaches itself)');
  return { listener, listenerIp, dialer };
}

/** A TCP listener on the bridge's gateway address: where the gateway's callback listener would be. */
async function listenOnGatewayIp(networkName: string): Promise<{ server: Server; port: number }> {
  const [network] = JSON.parse(await podman(['network', 'inspect', networkName])) as { subnets: { gateway: string }[] }[];
  const gatewayIp = network?.subnets[0]?.gateway ?? '';
  const server = createServer((socket) => socket.end('gateway\n'));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, gatewayIp, resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

export function registerPodmanHardeningSuite(): void {
  describe('hostile sandbox: reaching another sandbox on the Podman bridge', () => {
    for (const allow of [false, true]) {
      describe(allow ? 'with allow_sandbox_to_sandbox = true' : 'by default', () => {
        let driver: DriverProcess;
        const created = new Set<string>();

        before(async () => {
          await PODMAN_ENGINE.require();
          driver = await DriverProcess.launch(PODMAN_ENGINE, allow ? 'iso-open' : 'iso', { allow_sandbox_to_sandbox: allow });
        });

        after(async () => {
          if (driver === undefined) return;
          await deleteSandboxes(driver.client, created);
          await driver.stop();
        });

        if (!allow) {
          it("a sandbox's TCP connection to another fails, every bridge port is isolated, and both still reach the gateway's address", async () => {
            const pair = await startPair(driver.client, created, driver.networkName);
            assert.notEqual(await execIn(pair.dialer, connectScript(pair.listenerIp, LISTEN_PORT)), 0, `sandbox B connected to sandbox A at ${pair.listenerIp}`);
            const ports = join('/sys/class/net', await bridgeOf(driver.networkName), 'brif');
            const flags = readdirSync(ports).map((port) => `${port}=${readFileSync(join(ports, port, 'isolated'), 'utf8').trim()}`);
            assert.ok(flags.length >= 2 && flags.every((flag) => flag.endsWith('=1')), `every port isolated: ${flags.join(' ')}`);
            const gateway = await listenOnGatewayIp(driver.networkName);
            try {
              for (const container of [pair.dialer, pair.listener]) {
                assert.equal(await execIn(container, connectScript('host.openshell.internal', gateway.port)), 0, 'the sandbox reaches the gateway callback address');
              }
            } finally {
              gateway.server.close();
            }
          });
        } else {
          it('sandboxes reach each other', async () => {
            const pair = await startPair(driver.client, created, driver.networkName);
            assert.equal(await execIn(pair.dialer, connectScript(pair.listenerIp, LISTEN_PORT)), 0, 'sandbox B reaches sandbox A when allowed');
          });
        }
      });
    }
  });
}
