import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { LogFields, Logger } from '@shellgate/driver-sdk';
import { silentLogger } from '@shellgate/driver-sdk';

import { loadKubeConfig } from './load-kube-config.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-k8s-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "' + server + '"}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: ctx, context: {cluster: c, user: u}}, {name: other, context: {cluster: c, user: u}}]',
    'current-context: ctx',
  ].join('\n');
}

function recordingLogger(lines: LogFields[]): Logger {
  const logger: Logger = { ...silentLogger, info: (_message: string, fields?: LogFields) => void lines.push(fields ?? {}), child: () => logger };
  return logger;
}

describe('loadKubeConfig', () => {
  const keyFile = join(dir, 'key.yaml');
  const envFile = join(dir, 'env.yaml');
  const home = join(dir, 'home');
  writeFileSync(keyFile, kubeconfig('https://from-key:6443'));
  writeFileSync(envFile, kubeconfig('https://from-env:6443'));
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://from-home:6443'));

  it('takes the kubeconfig key first, then KUBECONFIG, then ~/.kube/config, logging each skip', () => {
    const options = { context: '', homeDir: home, logger: silentLogger };
    assert.equal(loadKubeConfig({ ...options, configured: keyFile, env: { KUBECONFIG: envFile } }).config.getCurrentCluster()?.server, 'https://from-key:6443');
    const lines: LogFields[] = [];
    const fromEnv = loadKubeConfig({ ...options, configured: '', env: { KUBECONFIG: envFile }, logger: recordingLogger(lines) });
    assert.equal(fromEnv.config.getCurrentCluster()?.server, 'https://from-env:6443');
    assert.deepEqual(lines, [{ source: 'kubeconfig key', reason: 'not set' }]);
    assert.equal(loadKubeConfig({ ...options, configured: '', env: {} }).source, join(home, '.kube', 'config'));
  });

  it('falls back to the in-cluster service account, and lists every attempt when nothing applies', () => {
    const options = { configured: '', context: '', homeDir: join(dir, 'nohome'), logger: silentLogger };
    assert.throws(() => loadKubeConfig({ ...options, env: {} }), (error: Error) => /kubeconfig key: not set; KUBECONFIG: not set; .*does not exist; in-cluster service account: KUBERNETES_SERVICE_HOST is not set/.test(error.message));
    assert.throws(() => loadKubeConfig({ ...options, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, fileExists: () => false }), /automountServiceAccountToken/);
  });

  it('uses the context key, and names the choices when it is not in the file', () => {
    const options = { configured: keyFile, homeDir: home, env: {}, logger: silentLogger };
    assert.equal(loadKubeConfig({ ...options, context: 'other' }).config.getCurrentContext(), 'other');
    assert.throws(() => loadKubeConfig({ ...options, context: 'missing' }), (error: Error & { hint?: string }) => /context "missing"/.test(error.message) && error.hint === 'pick one of: ctx, other');
  });
});
