import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, SANDBOX_LABEL_KEYS, silentLogger } from '@shellgate/driver-sdk';

import type { NetworkInfo } from '../payload/network-info.js';
import { PODMAN_NAMING } from '../testdata/podman-naming.js';
import { CallbackNetwork } from './callback-network.js';
import type { NetworkCreateSpec, NetworkEngine } from './callback-network.js';

class FakeNetworks implements NetworkEngine<NetworkInfo> {
  readonly endpoint = 'unix:///fake.sock';
  readonly networks = new Map<string, NetworkInfo>();
  readonly created: NetworkCreateSpec[] = [];
  /** Another driver creates the network between our inspect and our create. */
  isRaced = false;
  gatewayIp: string | undefined = '10.89.0.1';
  async inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
    return this.networks.get(name);
  }
  async createNetwork(spec: NetworkCreateSpec): Promise<NetworkInfo> {
    const network = { id: `n-${spec.name}`, name: spec.name, gatewayIp: this.gatewayIp, options: {} };
    this.networks.set(spec.name, network);
    if (this.isRaced) throw Object.assign(new Error('network exists'), { statusCode: 409 });
    this.created.push(spec);
    return network;
  }
}

const signal = new AbortController().signal;
const network = (engine: FakeNetworks, hostGatewayIp?: string, checkNetwork?: (info: NetworkInfo) => void) =>
  new CallbackNetwork({ engine, networkName: 'sg', allowSandboxToSandbox: false, gatewayId: 'gw-1', hostGatewayIp, logger: silentLogger, naming: PODMAN_NAMING, ...(checkNetwork === undefined ? {} : { checkNetwork }) });

void describe('CallbackNetwork', () => {
  void it('creates the network with our labels once, and answers its gateway address', async () => {
    const engine = new FakeNetworks();
    const callback = network(engine);
    const [first, second] = await Promise.all([callback.ensure(signal), callback.ensure(signal)]);
    assert.deepEqual([first.name, first.gatewayIp, first.info.id], ['sg', '10.89.0.1', 'n-sg']);
    assert.equal(second, first);
    assert.deepEqual(engine.created, [{ name: 'sg', labels: { [SANDBOX_LABEL_KEYS.managedBy]: 'shellgate', [SANDBOX_LABEL_KEYS.gatewayId]: 'gw-1' }, isInterContainerTrafficEnabled: false }]);
  });

  void it('reuses a network another driver created meanwhile, and prefers host_gateway_ip', async () => {
    const engine = new FakeNetworks();
    engine.isRaced = true;
    assert.equal((await network(engine, '192.0.2.7').ensure(signal)).gatewayIp, '192.0.2.7');
  });

  void it('fails FAILED_PRECONDITION naming host_gateway_ip when the network has no gateway, and tries again next time', async () => {
    const engine = new FakeNetworks();
    engine.gatewayIp = undefined;
    const callback = network(engine);
    await assert.rejects(callback.ensure(signal), { code: ErrorCode.FailedPrecondition, hint: /host_gateway_ip/ });
    engine.networks.set('sg', { id: 'n', name: 'sg', gatewayIp: '10.89.0.1', options: {} });
    assert.equal((await callback.ensure(signal)).gatewayIp, '10.89.0.1');
  });

  void it("lets the driver's check refuse a network it must not use, and tries again next time", async () => {
    const engine = new FakeNetworks();
    let isRefused = true;
    const callback = network(engine, undefined, () => {
      if (isRefused) throw new Error('open network');
    });
    await assert.rejects(callback.ensure(signal), /open network/);
    isRefused = false;
    assert.equal((await callback.ensure(signal)).name, 'sg');
  });
});
