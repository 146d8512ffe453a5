import type { ConfigurationOptions, CoreV1Event, KubeConfig, V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';

import type { KubeApi, KubeList, KubePermission, KubeWatchEvent } from './kube-api.js';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, NetworkingV1Api, PatchStrategy, Watch, setHeaderMiddleware, setHeaderOptions } from './kube-client.js';
import { isKubeStatus } from './kube-status.js';

/** How long a watch request may stay open before the server ends it and we resume (bookmarks keep its resourceVersion fresh). */
const WATCH_TIMEOUT_SECONDS = 300;

/**
 * Bounds one call by `signal` and the API timeout. The client has no per-call signal option,
 * only middleware; wrapping its own header middleware (which re-sets the default Accept)
 * gives a `pre` hook of the client's own Observable type without importing its internals.
 */
function toCallOptions(signal: AbortSignal, timeoutMs: number, base?: ConfigurationOptions): ConfigurationOptions {
  const accept = setHeaderMiddleware('Accept', 'application/json');
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const middleware = {
    pre: (context: Parameters<typeof accept.pre>[0]) => {
      context.setSignal(bounded);
      return accept.pre(context);
    },
    post: (context: Parameters<typeof accept.post>[0]) => accept.post(context),
  };
  return { ...base, middleware: [...(base?.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
}

/** Undefined for a 404, else the call's answer or its error. */
async function unlessMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isKubeStatus(error, 404)) return undefined;
    throw error;
  }
}

/** The {@link KubeApi} over `@kubernetes/client-node`, in one namespace. */
export class ClientNodeApi implements KubeApi {
  readonly namespace: string;
  readonly server: string;
  readonly #config: KubeConfig;
  readonly #timeoutMs: number;
  readonly #core: CoreV1Api;
  readonly #networking: NetworkingV1Api;
  readonly #authorization: AuthorizationV1Api;
  readonly #authentication: AuthenticationV1Api;
  readonly #watch: Watch;

  constructor(config: KubeConfig, namespace: string, timeoutMs: number) {
    this.#config = config;
    this.namespace = namespace;
    this.server = config.getCurrentCluster()?.server ?? '';
    this.#timeoutMs = timeoutMs;
    this.#core = config.makeApiClient(CoreV1Api);
    this.#networking = config.makeApiClient(NetworkingV1Api);
    this.#authorization = config.makeApiClient(AuthorizationV1Api);
    this.#authentication = config.makeApiClient(AuthenticationV1Api);
    this.#watch = new Watch(config);
  }

  #options(signal: AbortSignal, base?: ConfigurationOptions): ConfigurationOptions {
    return toCallOptions(signal, this.#timeoutMs, base);
  }

  async whoAmI(signal: AbortSignal): Promise<string> {
    const fallback = this.#config.getCurrentUser()?.name ?? 'unknown';
    try {
      const review = await this.#authentication.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } }, this.#options(signal));
      return review.status?.userInfo?.username ?? fallback;
    } catch {
      return `${fallback} (kubeconfig user; the server did not say who it authenticated)`;
    }
  }

  async findDeniedPermissions(wanted: readonly KubePermission[], signal: AbortSignal): Promise<KubePermission[]> {
    const answers = await Promise.all(
      wanted.map(async (permission) => {
        const review = await this.#authorization.createSelfSubjectAccessReview(
          {
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectAccessReview',
              spec: { resourceAttributes: { namespace: this.namespace, verb: permission.verb, resource: permission.resource, group: permission.group } },
            },
          },
          this.#options(signal),
        );
        return review.status?.allowed === true ? undefined : permission;
      }),
    );
    return answers.filter((permission): permission is KubePermission => permission !== undefined);
  }

  async namespaceState(signal: AbortSignal): Promise<'exists' | 'missing' | 'unknown'> {
    try {
      await this.#core.readNamespace({ name: this.namespace }, this.#options(signal));
      return 'exists';
    } catch (error) {
      if (isKubeStatus(error, 404)) return 'missing';
      if (isKubeStatus(error, 403)) return 'unknown';
      throw error;
    }
  }

  async createNamespace(labels: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void> {
    await this.#core.createNamespace({ body: { metadata: { name: this.namespace, labels: { ...labels } } } }, this.#options(signal));
  }

  async createPod(pod: V1Pod, signal: AbortSignal): Promise<V1Pod> {
    return this.#core.createNamespacedPod({ namespace: this.namespace, body: pod }, this.#options(signal));
  }

  async readPod(name: string, signal: AbortSignal): Promise<V1Pod | undefined> {
    return unlessMissing(this.#core.readNamespacedPod({ name, namespace: this.namespace }, this.#options(signal)));
  }

  async listPods(labelSelector: string, signal: AbortSignal): Promise<KubeList<V1Pod>> {
    const list = await this.#core.listNamespacedPod({ namespace: this.namespace, labelSelector }, this.#options(signal));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async deletePod(name: string, gracePeriodSeconds: number, signal: AbortSignal): Promise<boolean> {
    const deleted = await unlessMissing(this.#core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds }, this.#options(signal)));
    return deleted !== undefined;
  }

  async createSecret(secret: V1Secret, signal: AbortSignal): Promise<V1Secret> {
    return this.#core.createNamespacedSecret({ namespace: this.namespace, body: secret }, this.#options(signal));
  }

  async readSecret(name: string, signal: AbortSignal): Promise<V1Secret | undefined> {
    return unlessMissing(this.#core.readNamespacedSecret({ name, namespace: this.namespace }, this.#options(signal)));
  }

  async listSecrets(labelSelector: string, signal: AbortSignal): Promise<KubeList<V1Secret>> {
    const list = await this.#core.listNamespacedSecret({ namespace: this.namespace, labelSelector }, this.#options(signal));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async annotateSecret(name: string, annotations: Readonly<Record<string, string | null>>, signal: AbortSignal): Promise<void> {
    const options = this.#options(signal, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await this.#core.patchNamespacedSecret({ name, namespace: this.namespace, body: { metadata: { annotations } } }, options);
  }

  async deleteSecret(name: string, signal: AbortSignal): Promise<boolean> {
    return (await unlessMissing(this.#core.deleteNamespacedSecret({ name, namespace: this.namespace }, this.#options(signal)))) !== undefined;
  }

  async createPersistentVolumeClaim(claim: V1PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    await this.#core.createNamespacedPersistentVolumeClaim({ namespace: this.namespace, body: claim }, this.#options(signal));
  }

  async deletePersistentVolumeClaim(name: string, signal: AbortSignal): Promise<boolean> {
    return (await unlessMissing(this.#core.deleteNamespacedPersistentVolumeClaim({ name, namespace: this.namespace }, this.#options(signal)))) !== undefined;
  }

  async readNetworkPolicy(name: string, signal: AbortSignal): Promise<V1NetworkPolicy | undefined> {
    return unlessMissing(this.#networking.readNamespacedNetworkPolicy({ name, namespace: this.namespace }, this.#options(signal)));
  }

  async createNetworkPolicy(policy: V1NetworkPolicy, signal: AbortSignal): Promise<void> {
    await this.#networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body: policy }, this.#options(signal));
  }

  async listPodEvents(limit: number, signal: AbortSignal): Promise<KubeList<CoreV1Event>> {
    const list = await this.#core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: 'involvedObject.kind=Pod', limit }, this.#options(signal));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  watch<T>(
    kind: 'pods' | 'events',
    options: { readonly labelSelector?: string; readonly fieldSelector?: string; readonly resourceVersion: string },
    onEvent: (event: KubeWatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/${kind}`;
    const query = {
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: WATCH_TIMEOUT_SECONDS,
      ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
      ...(options.fieldSelector === undefined ? {} : { fieldSelector: options.fieldSelector }),
    };
    return new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      const onAbort = (): void => controller?.abort();
      const finish = (error: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        if (error === null || error === undefined || signal.aborted) resolve();
        else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#watch
        .watch(path, query, (type: string, object: T) => onEvent({ type: type as KubeWatchEvent<T>['type'], object }), finish)
        .then((started) => {
          controller = started;
          if (signal.aborted) started.abort();
        })
        .catch(finish);
    });
  }
}
