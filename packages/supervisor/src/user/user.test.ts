import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SupervisorLogger } from '../logging/supervisor-logger.js';
import { withChildUserEnvironment } from './child-environment.js';
import { decideChildUser } from './child-user-decision.js';
import { resolveUserSpec, type UserDatabases } from './resolve-user.js';
import { parseUserSpec } from './user-spec.js';

function assertUsageError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: Error & { exitCode?: number }) => message.test(error.message) && error.exitCode === 2);
}

const PASSWD = `root:x:0:0:root:/root:/bin/bash
# a comment, then a blank line

node:x:1000:1000::/home/node:/bin/sh
broken-line-without-fields
app:x:1234:2000:App:/srv/app:/usr/sbin/nologin
`;
const GROUP = `root:x:0:
node:x:1000:
staff:x:50:node,app
`;

function fixtureDatabases(files: { passwd?: string; group?: string }): UserDatabases {
  const dir = mkdtempSync(join(tmpdir(), 'user-db-'));
  const databases = { passwdFile: join(dir, 'passwd'), groupFile: join(dir, 'group') };
  if (files.passwd !== undefined) writeFileSync(databases.passwdFile, files.passwd);
  if (files.group !== undefined) writeFileSync(databases.groupFile, files.group);
  return databases;
}

describe('parseUserSpec', () => {
  it('reads names and numbers on either side of the colon', () => {
    assert.deepEqual(parseUserSpec('node'), { user: { name: 'node' }, text: 'node' });
    assert.deepEqual(parseUserSpec('1234'), { user: { id: 1234 }, text: '1234' });
    assert.deepEqual(parseUserSpec('node:staff'), { user: { name: 'node' }, group: { name: 'staff' }, text: 'node:staff' });
    assert.deepEqual(parseUserSpec('1234:1234'), { user: { id: 1234 }, group: { id: 1234 }, text: '1234:1234' });
    assert.deepEqual(parseUserSpec('node:50'), { user: { name: 'node' }, group: { id: 50 }, text: 'node:50' });
    assert.deepEqual(parseUserSpec('0:staff'), { user: { id: 0 }, group: { name: 'staff' }, text: '0:staff' });
  });

  it('rejects empty parts, extra colons, whitespace and ids out of range with exit code 2', () => {
    assertUsageError(() => parseUserSpec(':staff'), /--user ":staff" is not a user spec: the user is empty/);
    assertUsageError(() => parseUserSpec('node:'), /the group is empty/);
    assertUsageError(() => parseUserSpec('a:b:c'), /more than one ":"/);
    assertUsageError(() => parseUserSpec('no de'), /whitespace or control characters/);
    assertUsageError(() => parseUserSpec('4294967296'), /user id 4294967296 is above 2147483647/);
  });
});

describe('resolveUserSpec', () => {
  const databases = fixtureDatabases({ passwd: PASSWD, group: GROUP });

  it('resolves a name to its passwd uid, gid and home', () => {
    assert.deepEqual(resolveUserSpec(parseUserSpec('node'), databases), { uid: 1000, gid: 1000, name: 'node', home: '/home/node' });
  });

  it('resolves a uid with an entry to that entry, name included', () => {
    assert.deepEqual(resolveUserSpec(parseUserSpec('1234'), databases), { uid: 1234, gid: 2000, name: 'app', home: '/srv/app' });
  });

  it('takes an explicit group by name or number over the passwd gid', () => {
    assert.deepEqual(resolveUserSpec(parseUserSpec('node:staff'), databases), { uid: 1000, gid: 50, name: 'node', home: '/home/node' });
    assert.deepEqual(resolveUserSpec(parseUserSpec('1234:77'), databases), { uid: 1234, gid: 77, name: 'app', home: '/srv/app' });
  });

  it('accepts numbers without entries: gid 0 when only the uid is given, as Docker does', () => {
    assert.deepEqual(resolveUserSpec(parseUserSpec('4321'), databases), { uid: 4321, gid: 0 });
    assert.deepEqual(resolveUserSpec(parseUserSpec('4321:4321'), databases), { uid: 4321, gid: 4321 });
    assert.deepEqual(resolveUserSpec(parseUserSpec('4321:staff'), databases), { uid: 4321, gid: 50 });
  });

  it('fails with exit code 2 naming an unknown user or group and the file', () => {
    assertUsageError(() => resolveUserSpec(parseUserSpec('ghost'), databases), new RegExp(`--user ghost: user "ghost" not found in ${databases.passwdFile}$`));
    assertUsageError(() => resolveUserSpec(parseUserSpec('node:ghosts'), databases), new RegExp(`--user node:ghosts: group "ghosts" not found in ${databases.groupFile}$`));
  });

  it('without /etc/passwd or /etc/group, numbers work and names fail saying the file is missing', () => {
    const empty = fixtureDatabases({});
    assert.deepEqual(resolveUserSpec(parseUserSpec('1234:1234'), empty), { uid: 1234, gid: 1234 });
    assertUsageError(() => resolveUserSpec(parseUserSpec('node'), empty), /user "node" not found in .*passwd \(the image has no such file\)/);
    assertUsageError(() => resolveUserSpec(parseUserSpec('1234:staff'), empty), /group "staff" not found in .*group \(the image has no such file\)/);
  });
});

describe('withChildUserEnvironment', () => {
  it("sets HOME, USER and LOGNAME where they are missing or root's", () => {
    const user = { uid: 1000, gid: 1000, name: 'node', home: '/home/node' };
    assert.deepEqual(withChildUserEnvironment({ HOME: '/root', PATH: '/bin' }, user), { HOME: '/home/node', USER: 'node', LOGNAME: 'node', PATH: '/bin' });
    assert.deepEqual(withChildUserEnvironment({ USER: 'root', LOGNAME: 'root' }, user), { HOME: '/home/node', USER: 'node', LOGNAME: 'node' });
  });

  it('keeps values the image or the user set', () => {
    const user = { uid: 1000, gid: 1000, name: 'node', home: '/home/node' };
    assert.deepEqual(withChildUserEnvironment({ HOME: '/workspace', USER: 'agent' }, user), { HOME: '/workspace', USER: 'agent', LOGNAME: 'node' });
  });

  it('uses / as HOME and leaves USER alone for a uid without a passwd entry', () => {
    assert.deepEqual(withChildUserEnvironment({ HOME: '/root' }, { uid: 1234, gid: 1234 }), { HOME: '/' });
    assert.deepEqual(withChildUserEnvironment({}, { uid: 1, gid: 1, name: 'daemon', home: '' }), { HOME: '/', USER: 'daemon', LOGNAME: 'daemon' });
  });
});

describe('decideChildUser', () => {
  const databases = fixtureDatabases({ passwd: PASSWD, group: GROUP });
  const captureLogger = (): { logger: SupervisorLogger; lines: string[] } => {
    const lines: string[] = [];
    return { logger: new SupervisorLogger('info', () => undefined, 'supervisor', {}, (text) => lines.push(text)), lines };
  };

  it('runs children as the resolved user when the supervisor is root, and as itself without --user', () => {
    const { logger } = captureLogger();
    assert.deepEqual(decideChildUser(parseUserSpec('node'), { supervisorUid: 0, logger, databases }), { uid: 1000, gid: 1000, name: 'node', home: '/home/node' });
    assert.equal(decideChildUser(undefined, { supervisorUid: 0, logger, databases }), undefined);
  });

  it('warns and keeps its own user when not root and asked for another user; stays quiet for its own', () => {
    const { logger, lines } = captureLogger();
    assert.equal(decideChildUser(parseUserSpec('node'), { supervisorUid: 1000, logger, databases }), undefined);
    assert.equal(lines.length, 0);
    assert.equal(decideChildUser(parseUserSpec('1234'), { supervisorUid: 1000, logger, databases }), undefined);
    assert.match(lines.join(''), /"level":"warn".*--user ignored: only a root supervisor/);
  });

  it('still fails on a user that does not exist, root or not', () => {
    const { logger } = captureLogger();
    assertUsageError(() => decideChildUser(parseUserSpec('ghost'), { supervisorUid: 1000, logger, databases }), /user "ghost" not found/);
  });
});
