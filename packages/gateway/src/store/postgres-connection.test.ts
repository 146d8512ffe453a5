import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { redactDatabaseUrl, toPoolConfig } from './postgres-connection.js';

const files: Record<string, string> = { '/ca.pem': 'CA', '/client.pem': 'CERT', '/client.key': 'KEY' };
const readFile = (path: string): Buffer => Buffer.from(files[path] ?? assert.fail(`unexpected read of ${path}`));

describe('toPoolConfig', () => {
  it('reads host, port, user and database from the URL; a given password wins over the URL one', () => {
    const config = toPoolConfig({ url: 'postgres://gw:url%40pw@db.example:6543/shell%2Dgate', password: 'file-pw', poolSize: 3, connectTimeoutMs: 700, readFile });
    assert.deepEqual(
      { host: config.host, port: config.port, user: config.user, database: config.database, password: config.password, max: config.max, timeout: config.connectionTimeoutMillis },
      { host: 'db.example', port: 6543, user: 'gw', database: 'shell-gate', password: 'file-pw', max: 3, timeout: 700 },
    );
    assert.equal(toPoolConfig({ url: 'postgresql://gw:url%40pw@127.0.0.1/db' }).password, 'url@pw');
    assert.equal(toPoolConfig({ url: 'postgres://gw@127.0.0.1/db' }).port, 5432);
    assert.equal(toPoolConfig({ url: 'postgres://gw@localhost/db?host=/run/postgresql' }).host, '/run/postgresql');
    assert.equal(toPoolConfig({ url: 'postgres://gw@127.0.0.1/db' }).options, undefined, "the server's synchronous_commit by default");
    assert.equal(toPoolConfig({ url: 'postgres://gw@127.0.0.1/db', synchronousCommit: 'off' }).options, '-c synchronous_commit=off');
  });

  it('encrypts and verifies the host by default for remote servers, not for loopback or sockets', () => {
    assert.equal(toPoolConfig({ url: 'postgres://gw@127.0.0.1/db' }).ssl, false);
    assert.equal(toPoolConfig({ url: 'postgres://gw@localhost/db?host=/run/postgresql' }).ssl, false);
    assert.deepEqual(toPoolConfig({ url: 'postgres://gw@db.example/db', sslCaFile: '/ca.pem', readFile }).ssl, {
      ca: Buffer.from('CA'),
      rejectUnauthorized: true,
      servername: 'db.example',
    });
  });

  it('maps each sslmode, the setting winning over the URL, and reads client certificates', () => {
    assert.deepEqual(toPoolConfig({ url: 'postgres://gw@db.example/db?sslmode=require' }).ssl, { rejectUnauthorized: false });
    assert.equal(toPoolConfig({ url: 'postgres://gw@db.example/db?sslmode=require', sslMode: 'disable' }).ssl, false);
    const verifyCa = toPoolConfig({ url: 'postgres://gw@db.example/db', sslMode: 'verify-ca', sslCaFile: '/ca.pem', sslCertFile: '/client.pem', sslKeyFile: '/client.key', readFile });
    const ssl = verifyCa.ssl as { ca: Buffer; cert: Buffer; key: Buffer; rejectUnauthorized: boolean; checkServerIdentity: () => undefined };
    assert.deepEqual([ssl.ca.toString(), ssl.cert.toString(), ssl.key.toString(), ssl.rejectUnauthorized], ['CA', 'CERT', 'KEY', true]);
    assert.equal(ssl.checkServerIdentity(), undefined, 'verify-ca accepts any host name');
  });

  it('refuses malformed URLs without echoing their password', () => {
    const refuses = (url: string, reason: RegExp): void =>
      assert.throws(() => toPoolConfig({ url }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.match(error.message, reason);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    refuses('postgres://gw:hunter2@db.example/', /no database name/);
    refuses('postgres://gw:hunter2@db.example/db?sslrootcert=/ca.pem', /unsupported parameter "sslrootcert"/);
    refuses('postgres://gw:hunter2@db.example/db?sslmode=prefer', /sslmode "prefer" is not one of disable, require, verify-ca, verify-full/);
    refuses('mysql://gw:hunter2@db.example/db', /scheme mysql: is not postgres:/);
    refuses('not a url hunter2', /unparseable URL/);
  });
});

describe('redactDatabaseUrl', () => {
  it('masks the password and keeps everything else', () => {
    assert.equal(redactDatabaseUrl('postgres://gw:hunter2@db.example:5432/db?sslmode=require'), 'postgres://gw:***@db.example:5432/db?sslmode=require');
    assert.equal(redactDatabaseUrl('postgres://gw@db.example/db'), 'postgres://gw@db.example/db');
  });
});
