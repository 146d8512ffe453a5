import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSupervisorArgs } from './cli-args.js';
import { parseSupervisorConfig } from './supervisor-config.js';

const BASE = { OPENSHELL_ENDPOINT: 'http://host.openshell.internal:17670', OPENSHELL_SANDBOX_ID: 'sb-1', OPENSHELL_SANDBOX_TOKEN_FILE: '/run/token' };

function assertUsageError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: Error & { exitCode?: number }) => message.test(error.message) && error.exitCode === 2);
}

describe('parseSupervisorConfig', () => {
  it('reads the endpoint, ids, token file and defaults the log level to info', () => {
    const config = parseSupervisorConfig({ ...BASE, OPENSHELL_SANDBOX: 'name', OPENSHELL_USER_ENVIRONMENT: '{"FOO":"bar"}' });
    assert.deepEqual(config.endpoint, { target: 'host.openshell.internal:17670', tls: undefined });
    assert.equal(config.sandboxId, 'sb-1');
    assert.equal(config.sandboxName, 'name');
    assert.equal(config.tokenFile, '/run/token');
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.userEnvironment, { FOO: 'bar' });
  });

  it('uses TLS for https with the files from the environment, and the default port 443', () => {
    const config = parseSupervisorConfig({ ...BASE, OPENSHELL_ENDPOINT: 'https://gw.example', OPENSHELL_TLS_CA_FILE: '/ca', OPENSHELL_TLS_CERT_FILE: '/cert', OPENSHELL_TLS_KEY_FILE: '/key' });
    assert.deepEqual(config.endpoint, { target: 'gw.example:443', tls: { caFile: '/ca', certFile: '/cert', keyFile: '/key' } });
  });

  it('names each missing or invalid variable', () => {
    for (const name of ['OPENSHELL_ENDPOINT', 'OPENSHELL_SANDBOX_ID', 'OPENSHELL_SANDBOX_TOKEN_FILE']) {
      assertUsageError(() => parseSupervisorConfig({ ...BASE, [name]: '' }), new RegExp(`^${name} is not set`));
    }
    assertUsageError(() => parseSupervisorConfig({ ...BASE, OPENSHELL_ENDPOINT: 'unix:///tmp/sock' }), /OPENSHELL_ENDPOINT=.* has scheme unix:/);
    assertUsageError(() => parseSupervisorConfig({ ...BASE, OPENSHELL_LOG_LEVEL: 'loud' }), /OPENSHELL_LOG_LEVEL="loud" is not a log level/);
    assertUsageError(() => parseSupervisorConfig({ ...BASE, OPENSHELL_USER_ENVIRONMENT: '[1]' }), /OPENSHELL_USER_ENVIRONMENT is not a JSON object/);
    assertUsageError(() => parseSupervisorConfig({ ...BASE, OPENSHELL_ENDPOINT: 'https://gw:1', OPENSHELL_TLS_CERT_FILE: '/cert' }), /OPENSHELL_TLS_KEY_FILE is not set/);
  });
});

describe('parseSupervisorArgs', () => {
  it('takes everything after -- as the main command, flags included', () => {
    assert.deepEqual(parseSupervisorArgs(['--tty', '--', 'sh', '--tty', '-c', 'x']), { kind: 'run', tty: true, isTokenFileKept: false, mainCommand: ['sh', '--tty', '-c', 'x'] });
    assert.deepEqual(parseSupervisorArgs(['--']), { kind: 'run', tty: false, isTokenFileKept: false, mainCommand: [] });
    assert.deepEqual(parseSupervisorArgs([]), { kind: 'run', tty: false, isTokenFileKept: false, mainCommand: [] });
    assert.deepEqual(parseSupervisorArgs(['--version']), { kind: 'version' });
    assert.deepEqual(parseSupervisorArgs(['--help']), { kind: 'help' });
  });

  it('rejects an unknown flag before -- with exit code 2', () => {
    assertUsageError(() => parseSupervisorArgs(['sleep', '1']), /unknown argument "sleep"/);
  });

  it('reads --user SPEC before --; an empty SPEC means the supervisor\'s own user', () => {
    assert.deepEqual(parseSupervisorArgs(['--tty', '--user', 'node:staff', '--', 'sh']), {
      kind: 'run',
      tty: true,
      isTokenFileKept: false,
      user: { user: { name: 'node' }, group: { name: 'staff' }, text: 'node:staff' },
      mainCommand: ['sh'],
    });
    assert.deepEqual(parseSupervisorArgs(['--user', '1234', '--']), { kind: 'run', tty: false, isTokenFileKept: false, user: { user: { id: 1234 }, text: '1234' }, mainCommand: [] });
    assert.deepEqual(parseSupervisorArgs(['--user', '', '--', 'sh']), { kind: 'run', tty: false, isTokenFileKept: false, mainCommand: ['sh'] });
  });

  it('reads --keep-token-file before --', () => {
    assert.deepEqual(parseSupervisorArgs(['--keep-token-file', '--', 'sh']), { kind: 'run', tty: false, isTokenFileKept: true, mainCommand: ['sh'] });
    assert.deepEqual(parseSupervisorArgs(['--', 'sh', '--keep-token-file']), { kind: 'run', tty: false, isTokenFileKept: false, mainCommand: ['sh', '--keep-token-file'] });
  });

  it('rejects --user without a value or with a bad SPEC with exit code 2', () => {
    assertUsageError(() => parseSupervisorArgs(['--user']), /--user needs a value/);
    assertUsageError(() => parseSupervisorArgs(['--user', '--', 'sh']), /--user needs a value/);
    assertUsageError(() => parseSupervisorArgs(['--user', 'a:b:c', '--']), /--user "a:b:c" is not a user spec/);
  });
});
