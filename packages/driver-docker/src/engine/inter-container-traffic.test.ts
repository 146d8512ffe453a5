import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CallbackNetwork } from '@shellgate/container-engine';
import { ErrorCode, silentLogger } from '@shellgate/driver-sdk';

import { FakeDockerEngine } from '../testdata/fake-docker-engine.js';
import { DOCKER_NAMING } from './docker-naming.js';
import { ENABLE_ICC_OPTION, checkInterContainerTraffic } from './inter-container-traffic.js';

/** The managed network as the driver sets it up: container-engine's CallbackNetwork with Docker's isolation check. */
function networkOf(engine: FakeDockerEngine, allowSandboxToSandbox: boolean): CallbackNetwork {
  const options = { networkName: 'shellgate', allowSandboxToSandbox, logger: silentLogger };
  return new CallbackNetwork({ engine, ...options, checkNetwork: (network) => checkInterContainerTraffic(network, options), gatewayId: 'gw-1', hostGatewayIp: undefined, naming: DOCKER_NAMING });
}

function existing(engine: FakeDockerEngine, options: Record<string, string>): void {
  engine.networks.set('shellgate', { id: 'n1', name: 'shellgate', gatewayIp: '172.30.0.1', options });
}

const signal = new AbortController().signal;

void describe('CallbackNetwork isolation (issue 10 item 8)', () => {
  void it('creates the network with inter-container traffic off by default, and on when sandboxes may talk', async () => {
    for (const allow of [false, true]) {
      const engine = new FakeDockerEngine();
      const network = await networkOf(engine, allow).ensure(signal);
      assert.deepEqual([network.name, network.gatewayIp], ['shellgate', '172.30.0.1']);
      assert.equal(engine.networks.get('shellgate')?.options[ENABLE_ICC_OPTION], String(allow));
    }
  });

  void it('refuses an existing network that lets sandboxes reach each other, naming the fixes', async () => {
    for (const options of [{}, { [ENABLE_ICC_OPTION]: 'true' }] as Record<string, string>[]) {
      const engine = new FakeDockerEngine();
      existing(engine, options);
      await assert.rejects(networkOf(engine, false).ensure(signal), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, ErrorCode.FailedPrecondition);
        assert.match(error.message, /^network "shellgate" lets sandboxes reach each other/);
        assert.match(error.hint ?? '', /docker network rm shellgate.*network_name.*allow_sandbox_to_sandbox = true/);
        return true;
      });
    }
  });

  void it('reuses an existing isolated network, and an open one when sandboxes may talk', async () => {
    for (const [options, allow] of [[{ [ENABLE_ICC_OPTION]: 'false' }, false], [{ [ENABLE_ICC_OPTION]: '0' }, false], [{}, true]] as const) {
      const engine = new FakeDockerEngine();
      existing(engine, options);
      assert.equal((await networkOf(engine, allow).ensure(signal)).gatewayIp, '172.30.0.1');
    }
  });

  void it('retries after a refusal: once the operator removed the open network, it is created isolated', async () => {
    const engine = new FakeDockerEngine();
    existing(engine, {});
    const network = networkOf(engine, false);
    await assert.rejects(network.ensure(signal), { code: ErrorCode.FailedPrecondition });
    engine.networks.delete('shellgate');
    await network.ensure(signal);
    assert.equal(engine.networks.get('shellgate')?.options[ENABLE_ICC_OPTION], 'false');
  });
});
