import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files of a throwaway PKI, all in one directory. */
export interface TestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * A throwaway CA with a server certificate for localhost/127.0.0.1 (plus `extraServerNames`,
 * host names or IPv4 addresses sandboxes dial) and a client certificate, made with openssl in `dir`.
 */
export function makeTestPki(dir: string, extraServerNames: readonly string[] = []): TestPki {
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=shellgate-test-ca');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${['DNS:localhost', 'IP:127.0.0.1', ...extraServerNames.map((name) => (/^\d+\.\d+\.\d+\.\d+$/.test(name) ? `IP:${name}` : `DNS:${name}`))].join(',')}\n`);
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...ext);
  }
  return {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}

/** Gateway config lines: serve TLS with `pki`'s server certificate and require client certificates its CA signed. */
export function toGatewayMtlsToml(pki: TestPki): string[] {
  return [
    `tls_cert_file = ${JSON.stringify(pki.serverCert)}`,
    `tls_key_file = ${JSON.stringify(pki.serverKey)}`,
    `tls_client_ca_file = ${JSON.stringify(pki.caCert)}`,
  ];
}

/** A driver's `supervisor_tls_*` keys: the supervisor trusts `pki`'s CA and presents its client certificate. */
export function toSupervisorTlsConfig(pki: TestPki): Record<'supervisor_tls_ca_file' | 'supervisor_tls_cert_file' | 'supervisor_tls_key_file', string> {
  return { supervisor_tls_ca_file: pki.caCert, supervisor_tls_cert_file: pki.clientCert, supervisor_tls_key_file: pki.clientKey };
}
