import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '../errors.js';
import { SUPERVISOR_TLS_TARGETS } from './sandbox-paths.js';
import { toDeliveredSandboxTlsFiles, toSandboxTlsFiles, toSupervisorTls, toSupervisorTlsPlacements } from './supervisor-tls.js';
import type { SupervisorTlsConfig } from './supervisor-tls.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-supervisor-tls-'));
const file = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, '-----BEGIN CERTIFICATE-----\n');
  return path;
};
const CA = file('ca.pem');
const CERT = file('client.pem');
const KEY = file('client-key.pem');
const NONE: SupervisorTlsConfig = { supervisor_tls_ca_file: undefined, supervisor_tls_cert_file: undefined, supervisor_tls_key_file: undefined };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(isShellgateError(error) && error.code === ErrorCode.InvalidArgument, String(error));
    return error.describe();
  }
  assert.fail('expected INVALID_ARGUMENT');
}

describe('supervisor TLS files', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('none set: no files', () => {
    assert.equal(toSupervisorTls(NONE, 'https'), undefined);
    assert.equal(toSupervisorTls({ ...NONE, supervisor_tls_ca_file: '' }, 'http'), undefined, 'an empty value counts as unset');
  });

  it('a CA alone, or with a client certificate and key; the supervisor finds them at the SDK paths', () => {
    assert.deepEqual(toSupervisorTls({ ...NONE, supervisor_tls_ca_file: CA }, 'https'), { caFile: CA, client: undefined });
    const tls = toSupervisorTls({ supervisor_tls_ca_file: CA, supervisor_tls_cert_file: CERT, supervisor_tls_key_file: KEY }, 'https');
    assert.deepEqual(tls, { caFile: CA, client: { certFile: CERT, keyFile: KEY } });
    assert.deepEqual(toSandboxTlsFiles(false), { caFile: SUPERVISOR_TLS_TARGETS.caFile });
    assert.deepEqual(toSandboxTlsFiles(true), { caFile: '/opt/shellgate/tls/ca.pem', certFile: '/opt/shellgate/tls/client.pem', keyFile: '/opt/shellgate/tls/client-key.pem' });
  });

  it('places each delivered host file at its SDK path, and names those paths for the supervisor', () => {
    assert.deepEqual(toSupervisorTlsPlacements(undefined), []);
    assert.equal(toDeliveredSandboxTlsFiles(undefined), undefined);
    assert.deepEqual(toSupervisorTlsPlacements({ caFile: CA, client: undefined }), [{ source: CA, target: SUPERVISOR_TLS_TARGETS.caFile }]);
    assert.deepEqual(toDeliveredSandboxTlsFiles({ caFile: CA, client: undefined }), toSandboxTlsFiles(false));
    const withClient = { caFile: CA, client: { certFile: CERT, keyFile: KEY } };
    assert.deepEqual(toSupervisorTlsPlacements(withClient), [
      { source: CA, target: SUPERVISOR_TLS_TARGETS.caFile },
      { source: CERT, target: SUPERVISOR_TLS_TARGETS.certFile },
      { source: KEY, target: SUPERVISOR_TLS_TARGETS.keyFile },
    ]);
    assert.deepEqual(toDeliveredSandboxTlsFiles(withClient), toSandboxTlsFiles(true));
  });

  it('refuses files with an http gateway, a half pair, client files without a CA, and what is not a readable file', () => {
    assert.match(refusal(() => toSupervisorTls({ ...NONE, supervisor_tls_ca_file: CA }, 'http')), /gateway callback is http.*gateway_scheme = "https"/s);
    assert.match(refusal(() => toSupervisorTls({ ...NONE, supervisor_tls_ca_file: CA, supervisor_tls_cert_file: CERT }, 'https')), /go together/);
    assert.match(refusal(() => toSupervisorTls({ ...NONE, supervisor_tls_cert_file: CERT, supervisor_tls_key_file: KEY }, 'https')), /needs supervisor_tls_ca_file/);
    assert.match(refusal(() => toSupervisorTls({ ...NONE, supervisor_tls_ca_file: join(dir, 'missing.pem') }, 'https')), /supervisor_tls_ca_file ".*missing\.pem" cannot be read/);
    assert.match(refusal(() => toSupervisorTls({ ...NONE, supervisor_tls_ca_file: dir }, 'https')), /not a regular file/);
  });
});
