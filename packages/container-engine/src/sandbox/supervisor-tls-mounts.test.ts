import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SUPERVISOR_TLS_TARGETS } from '@shellgate/driver-sdk';

import { toSupervisorTlsMounts } from './supervisor-tls-mounts.js';

describe('toSupervisorTlsMounts', () => {
  it('none: no mounts', () => {
    assert.deepEqual(toSupervisorTlsMounts(undefined), []);
  });

  it('binds the CA, and a client certificate and key when given, read-only at the SDK paths', () => {
    assert.deepEqual(toSupervisorTlsMounts({ caFile: '/etc/gw/ca.pem', client: undefined }), [{ type: 'bind', source: '/etc/gw/ca.pem', target: SUPERVISOR_TLS_TARGETS.caFile, isReadOnly: true }]);
    const mounts = toSupervisorTlsMounts({ caFile: '/etc/gw/ca.pem', client: { certFile: '/etc/gw/client.pem', keyFile: '/etc/gw/client-key.pem' } });
    assert.deepEqual(mounts.map((mount) => [mount.source, mount.target, mount.isReadOnly]), [
      ['/etc/gw/ca.pem', '/opt/shellgate/tls/ca.pem', true],
      ['/etc/gw/client.pem', '/opt/shellgate/tls/client.pem', true],
      ['/etc/gw/client-key.pem', '/opt/shellgate/tls/client-key.pem', true],
    ]);
  });
});
