import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isShellgateError, type GatewayListenerRequirement } from '@shellgate/driver-sdk';
import { isPrivateAddress, resolveCallbackListeners, type HostNetwork } from './callback-listeners.js';

const PORT = 17670;
const exact = (address: string): GatewayListenerRequirement => ({ reason: 'bridge', selector: { $case: 'exactBindAddress', exactBindAddress: address } });
const defaultRoute: GatewayListenerRequirement = { reason: '', selector: { $case: 'defaultRouteInterface', defaultRouteInterface: {} } };
const loopback: GatewayListenerRequirement = { reason: 'vm', selector: { $case: 'loopbackInterface', loopbackInterface: {} } };
const network = (address: string | undefined): HostNetwork => ({ defaultRouteIpv4: () => address });

function refuses(requirements: GatewayListenerRequirement[], message: RegExp, host: HostNetwork = network('10.0.0.5')): void {
  assert.throws(() => resolveCallbackListeners('docker', requirements, PORT, host), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.equal(error.code, ErrorCode.FailedPrecondition);
    assert.match(error.message, /driver "docker"/);
    assert.match(error.message, message);
    return true;
  });
}

describe('resolveCallbackListeners', () => {
  it('binds exact private addresses, the default-route address and loopback, all on the primary port', () => {
    const listeners = resolveCallbackListeners('docker', [exact('172.17.0.1'), exact('172.17.0.1:17670'), exact('[fd00::1]:17670'), defaultRoute, loopback], PORT, network('192.168.1.20'));
    assert.deepEqual(
      listeners.map((l) => `${l.host}:${l.port}:${l.reason}`),
      ['172.17.0.1:17670:bridge', '172.17.0.1:17670:bridge', 'fd00::1:17670:bridge', '192.168.1.20:17670:sandbox callbacks', '127.0.0.1:17670:vm'],
    );
    assert.ok(listeners.every((l) => l.driver === 'docker'));
  });

  it('no requirements means no listeners', () => {
    assert.deepEqual(resolveCallbackListeners('docker', [], PORT, network(undefined)), []);
  });

  it('refuses a port other than the primary one', () => {
    refuses([exact('172.17.0.1:9000')], /port 9000.*primary port 17670/);
    refuses([exact('[fd00::1]:9000')], /port 9000/);
  });

  it('refuses wildcard addresses', () => {
    refuses([exact('0.0.0.0')], /wildcard/);
    refuses([exact('0.0.0.0:17670')], /wildcard/);
    refuses([exact('::')], /wildcard/);
    refuses([exact('[::]:17670')], /wildcard/);
  });

  it('refuses public addresses, exact or by default route', () => {
    refuses([exact('8.8.8.8')], /8\.8\.8\.8.*not a private/);
    refuses([exact('2001:db8::1')], /not a private/);
    refuses([defaultRoute], /203\.0\.113\.7.*not a private/, network('203.0.113.7'));
  });

  it('refuses host names, a missing default route, and a requirement without a selector', () => {
    refuses([exact('docker.internal')], /not IP or IP:port/);
    refuses([exact('docker.internal:17670')], /not IP or IP:port/);
    refuses([exact('172.17.0.1:99999')], /not IP or IP:port/);
    refuses([defaultRoute], /no IPv4 default route/, network(undefined));
    refuses([{ reason: 'x', selector: undefined }], /no selector/);
  });
});

describe('isPrivateAddress', () => {
  it('knows RFC 1918, loopback, link-local and IPv6 unique-local', () => {
    for (const host of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '127.0.0.1', '169.254.1.1', '::1', 'fd12::1', 'fc00::1', 'fe80::1']) {
      assert.equal(isPrivateAddress(host), true, host);
    }
    for (const host of ['172.15.0.1', '172.32.0.1', '11.0.0.1', '8.8.8.8', '192.169.0.1', '2001:db8::1', 'localhost', '']) {
      assert.equal(isPrivateAddress(host), false, host);
    }
  });
});
