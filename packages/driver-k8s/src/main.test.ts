import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { k8sDriverConfig } from './config.js';
import { DRIVER_VERSION } from './version.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_ROOT = join(HERE, '..');
const MAIN_JS = join(HERE, 'main.js');
const run = promisify(execFile);

interface RunFailure {
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Runs the binary on a temp socket with no supervisor (no bundle is built), no cluster access found, and `args`. */
async function runToFailure(args: readonly string[]): Promise<RunFailure> {
  const root = await mkdtemp(join(tmpdir(), 'sg-k8s-main-'));
  const env = { PATH: process.env['PATH'] ?? '', HOME: root, SHELLGATE_K8S_INJECT_SUPERVISOR: 'false' };
  try {
    await run(process.execPath, [MAIN_JS, '--bind-socket', join(root, 'driver.sock'), ...args], { env, timeout: 60_000 });
  } catch (error) {
    return error as RunFailure;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return assert.fail('the driver started');
}

describe('shellgate-driver-k8s binary and README', { timeout: 120_000 }, () => {
  it('reports the package.json version', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(DRIVER_VERSION, pkg.version);
    const { stdout } = await run(process.execPath, [MAIN_JS, '--version']);
    assert.equal(stdout, `shellgate-driver-k8s ${pkg.version}\n`);
  });

  it('documents every setting in --help and in the README settings table', async () => {
    const { stdout: help } = await run(process.execPath, [MAIN_JS, '--help']);
    const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    for (const key of Object.keys(k8sDriverConfig.keys)) {
      assert.ok(help.includes(`  ${key}  (`), `--help lists ${key}`);
      assert.ok(readme.split('\n').some((line) => line.startsWith(`| \`${key}\` |`)), `README has a row for ${key}`);
    }
  });

  it('exits 2 without gateway_endpoint, and exits 2 listing every access source it tried', async () => {
    const noEndpoint = await runToFailure([]);
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr ?? '', /gateway_endpoint is not set/);
    const noCluster = await runToFailure(['--gateway-endpoint', 'http://10.0.0.1:17670']);
    assert.equal(noCluster.code, 2);
    assert.match(noCluster.stderr ?? '', /no Kubernetes cluster access found \(kubeconfig key: not set; KUBECONFIG: not set; .*\.kube\/config does not exist; in-cluster service account: KUBERNETES_SERVICE_HOST is not set/);
    assert.equal(noCluster.stdout, '');
  });
});
