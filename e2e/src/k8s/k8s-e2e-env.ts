// What every Kubernetes e2e suite shares on top of the cluster harness (cluster.ts): the
// driver binary, the supervisor runtime image built by the package's script and loaded into
// the node, a free port pods can call a gateway back on, and the driver settings e2e drivers
// run with (their gateway id carries the e2e prefix, so `k8s.sh sweep` finds what they leave).
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_NAME_PREFIX, PROCESS_ID } from '../docker/e2e-run.js';
import { REPO_ROOT, resolvePackageBin } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import type { DriverConfigValue } from '../container/e2e-driver-config.js';
import { K8S_ENGINE_SCRIPT, K8S_TEST_IMAGE, requireLocalCluster } from './cluster.js';
import type { LocalCluster } from './cluster.js';

export const K8S_DRIVER_BIN = resolvePackageBin('@shellgate/driver-k8s', 'shellgate-driver-k8s');
export const K8S_CLAIMS_FILE = join(REPO_ROOT, 'e2e', 'src', 'k8s', 'k8s-claims.toml');
const RUNTIME_IMAGE_SCRIPT = join(REPO_ROOT, 'packages', 'driver-k8s', 'scripts', 'build-runtime-image.sh');

export interface K8sE2eEnvironment {
  readonly cluster: LocalCluster;
  /** The bundle inside the runtime image, for the driver's supervisor_runtime_dir. */
  readonly bundleDir: string;
  readonly runtimeImage: string;
}

let prepared: Promise<K8sE2eEnvironment> | undefined;

async function prepare(): Promise<K8sE2eEnvironment> {
  const cluster = await requireLocalCluster();
  const bundleDir = join(mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-runtime-')), 'bundle');
  const built = await runCommand('bash', [RUNTIME_IMAGE_SCRIPT, '--bundle-dir', bundleDir], 300_000);
  if (built.code !== 0) throw new Error(`build-runtime-image.sh failed:\n${built.stdout}\n${built.stderr}`);
  const runtimeImage = built.stdout.trim().split('\n').pop() ?? '';
  const loaded = await runCommand('bash', [K8S_ENGINE_SCRIPT, 'load-image', runtimeImage], 300_000);
  if (loaded.code !== 0) throw new Error(`k8s.sh load-image ${runtimeImage} failed:\n${loaded.stdout}\n${loaded.stderr}`);
  return { cluster, bundleDir, runtimeImage };
}

/** The cluster with the runtime image loaded (built and loaded once per test process). */
export function requireK8sE2eEnvironment(): Promise<K8sE2eEnvironment> {
  prepared ??= prepare();
  return prepared;
}

/** A port free on both the node address (pods call back there) and loopback (the gateway's primary listener). */
export async function findCallbackPort(nodeIp: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, nodeIp, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const isFreeOnLoopback = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (isFreeOnLoopback) return port;
  }
  throw new Error('no port free on both the node address and loopback');
}

/** The gateway id of an e2e driver: `k8s.sh sweep` removes the pods of ids with this prefix. */
export function e2eGatewayId(label: string): string {
  return `${E2E_NAME_PREFIX}${PROCESS_ID}-${label}`;
}

/** Settings of an e2e driver in `namespace` calling back on `port`; `overrides` win. */
export function k8sDriverSettings(
  environment: K8sE2eEnvironment,
  options: { readonly namespace: string; readonly port: number; readonly label: string },
  overrides: Readonly<Record<string, DriverConfigValue>> = {},
): Record<string, DriverConfigValue> {
  return {
    kubeconfig: environment.cluster.kubeconfig,
    namespace: options.namespace,
    gateway_endpoint: `http://${environment.cluster.nodeIp}:${options.port}`,
    gateway_id: e2eGatewayId(options.label),
    default_image: K8S_TEST_IMAGE,
    image_pull_policy: 'Never',
    image_pull_failure_seconds: 20,
    supervisor_runtime_dir: environment.bundleDir,
    stop_grace_seconds: 2,
    // The test cluster has no cluster DNS: ClusterFirst would make the kubelet warn on every pod sync.
    dns_policy: 'Default',
    ...overrides,
  };
}
