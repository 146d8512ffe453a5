import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeLibpodNetworkInspect, decodeNetworkInspect } from './network-info.js';
import { readDockerFixture, readPodmanFixture } from './testdata/read-fixture.js';

void describe('decodeNetworkInspect', () => {
  void it('reads a Docker 20.10 bridge network and its gateway address', () => {
    assert.deepEqual(decodeNetworkInspect(readDockerFixture('network-inspect.json')), {
      id: '9f6873e6cd306c22ffa33fa47842161bc51a1404b9560a9a1c3094c9e8082160',
      name: 'engine-fixture-net-4461',
      gatewayIp: '172.18.0.1',
      options: {},
    });
  });

  void it('reads the driver options, e.g. inter-container traffic off', () => {
    const inspect = { Id: 'n1', Name: 'net', Options: { 'com.docker.network.bridge.enable_icc': 'false', odd: 1 } };
    assert.deepEqual(decodeNetworkInspect(inspect).options, { 'com.docker.network.bridge.enable_icc': 'false' });
    assert.deepEqual(decodeNetworkInspect({ Id: 'n1', Name: 'net', Options: null }).options, {});
  });

  void it('skips IPAM configs without a gateway, and reports none when no config has one', () => {
    const configs = (...gateways: (string | undefined)[]) => ({ Id: 'n1', Name: 'net', IPAM: { Config: gateways.map((Gateway) => ({ Subnet: '10.0.0.0/24', Gateway })) } });
    assert.equal(decodeNetworkInspect(configs(undefined, '', '10.0.0.1')).gatewayIp, '10.0.0.1');
    assert.equal(decodeNetworkInspect(configs()).gatewayIp, undefined);
    assert.equal(decodeNetworkInspect({ Id: 'n1', Name: 'net', IPAM: { Config: null } }).gatewayIp, undefined);
  });

  void it("reads a Podman 4.3 libpod network: netavark's subnets and the host bridge device", () => {
    assert.deepEqual(decodeLibpodNetworkInspect(readPodmanFixture('network-inspect.json')), {
      id: 'a7afa7e93fc0da1475c2603bde20b73106961b10c5a2c048661447e40454560b',
      name: 'sg-capture-net',
      gatewayIp: '10.89.0.1',
      options: {},
      interfaceName: 'podman1',
    });
    const isolated = { name: 'n', subnets: [{ subnet: '10.0.0.0/24' }], options: { isolate: 'true' } };
    assert.deepEqual(decodeLibpodNetworkInspect(isolated), { id: '', name: 'n', gatewayIp: undefined, options: { isolate: 'true' }, interfaceName: '' });
  });
});
