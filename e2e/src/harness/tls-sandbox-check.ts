// What every driver's "gateway serving TLS" e2e checks, through the CLI with the test PKI's CA
// and client certificate: a sandbox turns Ready (its supervisor verified the gateway and
// presented its certificate), an exec finds the TLS files named and read-only, and it deletes.
import assert from 'node:assert/strict';

import { uniqueSandboxName } from '../docker/e2e-run.js';
import { runCli, type CliResult } from './run-cli.js';
import type { TestPki } from './test-pki.js';

/** The CLI against the gateway at `address` (127.0.0.1:PORT) over TLS, as `localhost` (the certificate's name). */
export function tlsCli(address: string, pki: TestPki): (args: readonly string[]) => Promise<CliResult> {
  const url = `https://${address.replace('127.0.0.1', 'localhost')}`;
  return (args) => runCli(['--gateway', url, '--tls-ca', pki.caCert, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey, ...args], {}, 180_000);
}

/** Create → Ready → exec → delete through `cli`; `logTail` explains a failed create. */
export async function checkSandboxOverTls(cli: (args: readonly string[]) => Promise<CliResult>, command: readonly string[], logTail: () => string): Promise<void> {
  const name = uniqueSandboxName('tls');
  const created = await cli(['sandbox', 'create', name, ...command.flatMap((arg) => ['--cmd', arg]), '--wait', '--timeout', '150s', '-o', 'json']);
  assert.equal(created.code, 0, `create over TLS: ${created.stderr}\n--- gateway log (tail) ---\n${logTail()}`);
  const exec = await cli(['sandbox', 'exec', name, '--', 'sh', '-c', 'echo "$OPENSHELL_TLS_CA_FILE $OPENSHELL_TLS_KEY_FILE"; head -1 /opt/shellgate/tls/ca.pem; (echo x >>/opt/shellgate/tls/client-key.pem) 2>/dev/null || echo read-only']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.deepEqual(exec.stdout.trim().split('\n'), ['/opt/shellgate/tls/ca.pem /opt/shellgate/tls/client-key.pem', '-----BEGIN CERTIFICATE-----', 'read-only']);
  const deleted = await cli(['sandbox', 'delete', name, '--wait']);
  assert.equal(deleted.code, 0, deleted.stderr);
}
