// The local Kubernetes cluster of scripts/engines/k8s.sh, for e2e tests and benchmarks:
// where it is (`k8s.sh env`), kubectl against it as admin or as another identity, and
// namespaces that carry this run's label, so `k8s.sh sweep RUN` removes what a killed test
// left behind (STYLE.md rule 20).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_NAME_PREFIX, E2E_RUN, PROCESS_ID } from '../docker/e2e-run.js';
import { REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';

/** The engine script; `start` brings the cluster up. */
export const K8S_ENGINE_SCRIPT = join(REPO_ROOT, 'scripts', 'engines', 'k8s.sh');
/** The run label key every e2e object carries; `k8s.sh sweep RUN` deletes by it. */
export const K8S_RUN_LABEL = 'shellgate.dev/e2e-run';
/** The image every node of the test cluster has (scripts/engines/test-image.sh). */
export const K8S_TEST_IMAGE = 'shellgate-test/busybox:1';

/** Where the cluster is, as `k8s.sh env` prints it. */
export interface LocalCluster {
  /** cluster-admin kubeconfig. */
  readonly kubeconfig: string;
  readonly kubectlBin: string;
  /** The node's address on the pod network: pods reach the host here. */
  readonly nodeIp: string;
  readonly stateDir: string;
}

let cluster: Promise<LocalCluster> | undefined;

async function readLocalCluster(): Promise<LocalCluster> {
  const printed = await runCommand('bash', [K8S_ENGINE_SCRIPT, 'env']);
  if (printed.code !== 0) throw new Error(`bash scripts/engines/k8s.sh env failed: ${printed.stderr}`);
  const values = new Map<string, string>();
  for (const match of printed.stdout.matchAll(/^export (\w+)=(.*)$/gm)) values.set(match[1]!, match[2]!);
  const read = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`k8s.sh env printed no ${key}`);
    return value;
  };
  const binDir = read('PATH').split(':')[0]!;
  return { kubeconfig: read('KUBECONFIG'), kubectlBin: join(binDir, 'kubectl'), nodeIp: read('SHELLGATE_K8S_NODE_IP'), stateDir: read('SHELLGATE_K8S_STATE_DIR') };
}

/** The cluster; rejects with what to run when it does not answer. */
export async function requireLocalCluster(): Promise<LocalCluster> {
  cluster ??= readLocalCluster();
  const found = await cluster;
  const ready = await runCommand(found.kubectlBin, ['--kubeconfig', found.kubeconfig, '--request-timeout=5s', 'get', '--raw', '/readyz'], 10_000);
  if (ready.code !== 0) throw new Error(`the local cluster does not answer (run: bash scripts/engines/k8s.sh start): ${ready.stderr.trim()}`);
  return found;
}

export interface KubectlOptions {
  /** Another identity's kubeconfig; default cluster-admin. */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

/** Runs kubectl; resolves with its stdout, rejects with its stderr on a non-zero exit. */
export async function kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const { kubectlBin, kubeconfig } = await (cluster ??= readLocalCluster());
  const result = await runCommand(kubectlBin, ['--kubeconfig', options.kubeconfig ?? kubeconfig, ...args], options.timeoutMs ?? 60_000);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** kubectl apply of manifests given as text. */
export async function kubectlApply(manifests: string, options: KubectlOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-e2e-k8s-'));
  try {
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, manifests);
    return await kubectl(['apply', '-f', file], options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A namespace of this run, deleted (with everything in it) on dispose. */
export interface TestNamespace extends AsyncDisposable {
  readonly name: string;
}

let namespaceCounter = 0;

/** Creates `sg-e2e-<process>-<label><n>`, labelled with the run label. */
export async function createTestNamespace(label: string): Promise<TestNamespace> {
  namespaceCounter += 1;
  const name = `${E2E_NAME_PREFIX}${PROCESS_ID}-${label}${namespaceCounter}`;
  await kubectlApply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: {${K8S_RUN_LABEL}: ${E2E_RUN}}\n`);
  return {
    name,
    [Symbol.asyncDispose]: async () => {
      await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
    },
  };
}

/**
 * A kubeconfig at `path` that authenticates as ServiceAccount `serviceAccount` of `namespace`
 * with a fresh token, against the same API server as the admin one: how a driver deployed
 * with deploy/k8s/rbac.yaml sees the cluster.
 */
export async function writeServiceAccountKubeconfig(path: string, namespace: string, serviceAccount: string): Promise<void> {
  const { kubeconfig } = await (cluster ??= readLocalCluster());
  const token = (await kubectl(['-n', namespace, 'create', 'token', serviceAccount, '--duration=1h'])).trim();
  const admin = readFileSync(kubeconfig, 'utf8');
  const server = /server: "?([^"\s}]+)"?/.exec(admin)?.[1];
  const ca = /certificate-authority: "?([^"\s}]+)"?/.exec(admin)?.[1];
  if (server === undefined || ca === undefined) throw new Error(`cannot read server and certificate-authority from ${kubeconfig}`);
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`;
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: local\n  cluster: {server: "${server}", certificate-authority: "${ca}"}`,
      'users:',
      `- name: "${user}"\n  user: {token: "${token}"}`,
      'contexts:',
      `- name: local\n  context: {cluster: local, user: "${user}", namespace: "${namespace}"}`,
      'current-context: local',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}
