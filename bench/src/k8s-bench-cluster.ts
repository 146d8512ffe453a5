// The local cluster of scripts/engines/k8s.sh for the Kubernetes benchmark: where it is, the
// supervisor runtime image the driver's pods copy the supervisor from (built by the driver
// package's script and loaded into the node), a namespace of the run, and the baseline: a bare
// Pod of the same image created with @kubernetes/client-node and timed to phase Running.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';

import { elapsedMs } from './report.js';
import { run, runOrThrow } from './run-command.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENGINE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'engines', 'k8s.sh');
const RUNTIME_IMAGE_SCRIPT = path.join(REPO_ROOT, 'packages', 'driver-k8s', 'scripts', 'build-runtime-image.sh');
/** The image the test cluster loads at start (scripts/engines/test-image.sh). */
export const K8S_BENCH_IMAGE = 'shellgate-test/busybox:1';
/** The run label `k8s.sh sweep` removes by. */
const RUN_LABEL = 'shellgate.dev/e2e-run';
const RUNNING_TIMEOUT_MS = 120_000;

export interface BenchCluster {
  readonly kubeconfig: string;
  /** Pods reach the host here: the gateway's callback address. */
  readonly nodeIp: string;
  /** The supervisor bundle inside the loaded runtime image (the driver's supervisor_runtime_dir). */
  readonly bundleDir: string;
  readonly runId: string;
  /** `sg-e2e-bench-<run>`: sandboxes and baseline pods alike; `k8s.sh sweep bench-<run>` removes it. */
  readonly namespace: string;
}

/** Why the benchmark cannot run, or undefined. */
export async function findMissingCluster(): Promise<string | undefined> {
  const status = await run('bash', [ENGINE_SCRIPT, 'status'], 30_000);
  return status.code === 0 ? undefined : 'skipped: no Kubernetes cluster (run scripts/engines/k8s.sh start)';
}

/** Reads `k8s.sh env`, builds and loads the runtime image, and makes the run's namespace. */
export async function prepareBenchCluster(): Promise<BenchCluster> {
  const env = new Map([...(await runOrThrow('bash', [ENGINE_SCRIPT, 'env'])).matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
  const kubeconfig = env.get('KUBECONFIG');
  const nodeIp = env.get('SHELLGATE_K8S_NODE_IP');
  if (kubeconfig === undefined || nodeIp === undefined) throw new Error('k8s.sh env printed no KUBECONFIG or SHELLGATE_K8S_NODE_IP');
  const bundleDir = path.join(await mkdtemp(path.join(tmpdir(), 'sg-bench-k8s-runtime-')), 'bundle');
  const runtimeImage = (await runOrThrow('bash', [RUNTIME_IMAGE_SCRIPT, '--bundle-dir', bundleDir])).split('\n').pop() ?? '';
  await runOrThrow('bash', [ENGINE_SCRIPT, 'load-image', runtimeImage]);
  const runId = randomBytes(3).toString('hex');
  const namespace = `sg-e2e-bench-${runId}`;
  const core = toConfig(kubeconfig).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { [RUN_LABEL]: `bench-${runId}` } } } });
  return { kubeconfig, nodeIp, bundleDir, runId, namespace };
}

/** Deletes the run's namespace, and with it every pod of the run. */
export async function removeBenchNamespace(cluster: BenchCluster): Promise<void> {
  await toConfig(cluster.kubeconfig).makeApiClient(CoreV1Api).deleteNamespace({ name: cluster.namespace });
}

function toConfig(kubeconfig: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return config;
}

/**
 * Creates bare Pods (the image, `command`, imagePullPolicy Never) and times each from the
 * create call to phase Running, seen on one watch of the run's pods.
 */
export class BarePodTimer {
  readonly #core: CoreV1Api;
  readonly #watch: Watch;
  readonly #waiters = new Map<string, () => void>();
  #watching: AbortController | undefined;
  #next = 0;

  constructor(private readonly cluster: BenchCluster) {
    const config = toConfig(cluster.kubeconfig);
    this.#core = config.makeApiClient(CoreV1Api);
    this.#watch = new Watch(config);
  }

  async start(): Promise<void> {
    this.#watching = await this.#watch.watch(
      `/api/v1/namespaces/${this.cluster.namespace}/pods`,
      { labelSelector: `bench-baseline=${this.cluster.runId}` },
      (_type: string, pod: V1Pod) => {
        if (pod.status?.phase === 'Running') this.#waiters.get(pod.metadata?.name ?? '')?.();
      },
      () => undefined,
    );
  }

  /** ms from createNamespacedPod to Running; resolves with the pod's name too. */
  async timeCreate(command: readonly string[]): Promise<{ ms: number; name: string }> {
    this.#next += 1;
    const name = `bare-${this.cluster.runId}-${this.#next}`;
    const running = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pod ${name} not Running within ${RUNNING_TIMEOUT_MS} ms`)), RUNNING_TIMEOUT_MS);
      this.#waiters.set(name, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const startNs = process.hrtime.bigint();
    await this.#core.createNamespacedPod({ namespace: this.cluster.namespace, body: this.#toPod(name, command) });
    try {
      await running;
    } finally {
      this.#waiters.delete(name);
    }
    return { ms: elapsedMs(startNs), name };
  }

  async deletePods(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.#core.deleteNamespacedPod({ name, namespace: this.cluster.namespace, gracePeriodSeconds: 0 })));
  }

  close(): void {
    this.#watching?.abort();
  }

  #toPod(name: string, command: readonly string[]): V1Pod {
    return {
      metadata: { name, labels: { 'bench-baseline': this.cluster.runId } },
      spec: {
        // As the driver's pods: no cluster DNS here, and a short stop.
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 2,
        automountServiceAccountToken: false,
        containers: [{ name: 'main', image: K8S_BENCH_IMAGE, imagePullPolicy: 'Never', command: [...command] }],
      },
    };
  }
}
