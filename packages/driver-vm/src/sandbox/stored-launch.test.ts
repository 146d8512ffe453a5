import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildTestSandbox } from '@shellgate/driver-sdk/testing';
import type { TestSandboxInit } from '@shellgate/driver-sdk/testing';

import type { ImageConfig } from '../image/image-source.js';
import { NoCommandError, toHostname, toStoredLaunch } from './stored-launch.js';

const IMAGE: ImageConfig = { id: 'sha256:abc', entrypoint: ['/entry'], cmd: ['serve'], env: ['PATH=/image/bin', 'LANG=C.UTF-8'], user: '', workingDir: '/app' };

function launchOf(init: TestSandboxInit, config: ImageConfig = IMAGE): ReturnType<typeof toStoredLaunch> {
  const sandbox = buildTestSandbox({ name: 'My_Box', ...init });
  return toStoredLaunch({ sandbox, vcpus: 1, memoryMib: 512, kernel: 'debian', disks: [{ target: '/data', sizeMib: 64 }] }, { reference: 'img:1', config }, 'http://host.openshell.internal:17670');
}

describe('toStoredLaunch', () => {
  it('runs the image entrypoint + cmd in its working dir with its env under the user\'s and the driver\'s', () => {
    const launch = launchOf({ spec: { environment: { LANG: 'user', OPENSHELL_ENDPOINT: 'spoofed' } } });
    assert.deepEqual(launch.command, ['/entry', 'serve']);
    assert.equal(launch.workdir, '/app');
    assert.equal(launch.env.PATH, '/image/bin');
    assert.equal(launch.env.LANG, 'user');
    assert.equal(launch.env.HOME, '/root');
    assert.equal(launch.env.OPENSHELL_ENDPOINT, 'http://host.openshell.internal:17670', 'the driver\'s variables win');
    assert.equal(launch.env.OPENSHELL_SANDBOX_TOKEN_FILE, '/run/shellgate/sandbox-token');
    assert.ok(!Object.values(launch.env).some((value) => value.includes('token-')), 'the token itself is in no variable');
    assert.equal(launch.hostname, 'my-box');
    assert.deepEqual(launch.disks, [{ serial: 'sg-disk-0', target: '/data', sizeMib: 64 }]);
  });

  it('prefers spec.command, fills PATH as Docker does, and keeps a non-root USER for the supervisor', () => {
    const launch = launchOf({ spec: { command: ['sleep', '1'], tty: true } }, { ...IMAGE, env: [], user: 'node:node', workingDir: '' });
    assert.deepEqual(launch.command, ['sleep', '1']);
    assert.equal(launch.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    assert.equal(launch.env.HOME, undefined, 'the supervisor sets HOME for a non-root user');
    assert.equal(launch.user, 'node:node');
    assert.equal(launch.workdir, '/');
    assert.equal(launch.tty, true);
  });

  it('names the supervisor_tls_* files for the supervisor only when the driver delivers them', () => {
    const sandbox = buildTestSandbox({ name: 'tls' });
    const validated = { sandbox, vcpus: 1, memoryMib: 512, kernel: 'debian' as const, disks: [] };
    const tls = { caFile: '/opt/shellgate/tls/ca.pem', certFile: '/opt/shellgate/tls/client.pem', keyFile: '/opt/shellgate/tls/client-key.pem' };
    const withTls = toStoredLaunch(validated, { reference: 'img:1', config: IMAGE }, 'https://host.openshell.internal:17670', tls);
    assert.deepEqual([withTls.env.OPENSHELL_TLS_CA_FILE, withTls.env.OPENSHELL_TLS_CERT_FILE, withTls.env.OPENSHELL_TLS_KEY_FILE], [tls.caFile, tls.certFile, tls.keyFile]);
    const without = toStoredLaunch(validated, { reference: 'img:1', config: IMAGE }, 'https://host.openshell.internal:17670');
    assert.equal(without.env.OPENSHELL_TLS_CA_FILE, undefined);
  });

  it('refuses an image with nothing to run', () => {
    assert.throws(() => launchOf({}, { ...IMAGE, entrypoint: [], cmd: [] }), NoCommandError);
  });

  it('makes a DNS label of any name', () => {
    assert.equal(toHostname('--A.b__c--'), 'a-b--c');
    assert.equal(toHostname('___'), 'sandbox');
  });
});
