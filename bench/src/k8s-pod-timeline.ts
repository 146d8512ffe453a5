// Where a sandbox's create → Ready goes on Kubernetes: one watch of the run's sandbox pods
// records, per sandbox, when the pod first showed each step (ms since the create call), so the
// benchmark can print the median of each stretch beside the bare Pod's whole time.
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { SANDBOX_LABEL_KEYS } from '@shellgate/driver-sdk';

import { formatMs, percentile } from './report.js';

/** The steps in the order a sandbox pod goes through them. */
const STEPS = ['pod created', 'scheduled', 'volumes ready', 'init container running', 'init container done', 'sandbox container running'] as const;
type Step = (typeof STEPS)[number];

function stepsShown(pod: V1Pod): Step[] {
  const conditions = new Set((pod.status?.conditions ?? []).filter((condition) => condition.status === 'True').map((condition) => condition.type));
  const init: V1ContainerStatus | undefined = pod.status?.initContainerStatuses?.[0];
  const main: V1ContainerStatus | undefined = pod.status?.containerStatuses?.[0];
  const shown: Step[] = ['pod created'];
  if (conditions.has('PodScheduled')) shown.push('scheduled');
  // The pod sandbox (network, volumes) is up: kubelet can start containers.
  if (conditions.has('PodReadyToStartContainers')) shown.push('volumes ready');
  if (init?.state?.running !== undefined || init?.state?.terminated !== undefined) shown.push('init container running');
  if (init?.state?.terminated !== undefined) shown.push('init container done');
  if (main?.state?.running !== undefined) shown.push('sandbox container running');
  return shown;
}

/** Per sandbox name: when each step was first seen, ms after `begin(name)`. */
export class SandboxPodTimeline {
  readonly #watch: Watch;
  readonly #startedAt = new Map<string, number>();
  readonly #seen = new Map<string, Map<Step, number>>();
  readonly #finished: Map<Step | 'Ready through the gateway', number>[] = [];
  #watching: AbortController | undefined;

  constructor(
    kubeconfig: string,
    private readonly namespace: string,
  ) {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    this.#watch = new Watch(config);
  }

  async start(): Promise<void> {
    this.#watching = await this.#watch.watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: SANDBOX_LABEL_KEYS.sandboxName },
      (_type: string, pod: V1Pod) => this.#record(pod),
      () => undefined,
    );
  }

  /** Marks the create call of sandbox `name`. */
  begin(name: string): void {
    this.#startedAt.set(name, performance.now());
    this.#seen.set(name, new Map());
  }

  /** The sandbox answered Ready through the gateway: its timeline is complete. */
  finish(name: string): void {
    const startedAt = this.#startedAt.get(name);
    const seen = this.#seen.get(name);
    if (startedAt === undefined || seen === undefined) return;
    this.#finished.push(new Map([...seen, ['Ready through the gateway', performance.now() - startedAt]]));
    this.#startedAt.delete(name);
    this.#seen.delete(name);
  }

  /** Rows of `[stretch, median ms]`, each from the previous step seen to this one. */
  stretches(): string[][] {
    const rows: string[][] = [];
    let previous = 'create call';
    for (const step of [...STEPS, 'Ready through the gateway'] as const) {
      const durations = this.#finished.flatMap((timeline) => {
        const at = timeline.get(step);
        const before = previous === 'create call' ? 0 : timeline.get(previous as Step);
        return at === undefined || before === undefined ? [] : [at - before];
      });
      if (durations.length === 0) continue;
      rows.push([`${previous} → ${step}`, formatMs(percentile(durations, 0.5)), String(durations.length)]);
      previous = step;
    }
    return rows;
  }

  close(): void {
    this.#watching?.abort();
  }

  #record(pod: V1Pod): void {
    const name = pod.metadata?.labels?.[SANDBOX_LABEL_KEYS.sandboxName] ?? '';
    const startedAt = this.#startedAt.get(name);
    const seen = this.#seen.get(name);
    if (startedAt === undefined || seen === undefined) return;
    const now = performance.now() - startedAt;
    for (const step of stepsShown(pod)) if (!seen.has(step)) seen.set(step, now);
  }
}
