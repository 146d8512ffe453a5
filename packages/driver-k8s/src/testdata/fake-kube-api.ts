// An in-memory Kubernetes namespace behind the driver's KubeApi seam, for unit tests: objects
// with resourceVersions, label selectors (key=value, comma-ANDed), watches fed from every
// change, and switches to fail calls or expire a watch (410).
import type { CoreV1Event, V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';

import type { KubeApi, KubeList, KubePermission, KubeWatchEvent } from '../cluster/kube-api.js';

type Kind = 'pods' | 'events';
interface Watcher {
  readonly kind: Kind;
  readonly selector: string | undefined;
  readonly onEvent: (event: KubeWatchEvent<unknown>) => void;
  readonly end: (error?: unknown) => void;
}

function matches(labels: Readonly<Record<string, string>> | undefined, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels?.[key ?? ''] === value;
  });
}

export class KubeStatusError extends Error {
  constructor(readonly code: number, message = `HTTP ${code}`) {
    super(message);
  }
}

export class FakeKubeApi implements KubeApi {
  readonly namespace = 'sg-test';
  readonly server = 'https://fake:6443';
  readonly pods = new Map<string, V1Pod>();
  readonly secrets = new Map<string, V1Secret>();
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  readonly policies = new Map<string, V1NetworkPolicy>();
  denied: KubePermission[] = [];
  namespaceExists = true;
  /** Makes the next calls of these operations fail with the given error. */
  readonly failures = new Map<string, Error>();
  readonly calls: string[] = [];
  #version = 100;
  #watchers = new Set<Watcher>();
  #uid = 0;

  get watchCount(): number {
    return this.#watchers.size;
  }

  #call(operation: string): void {
    this.calls.push(operation);
    const failure = this.failures.get(operation);
    if (failure !== undefined) throw failure;
  }

  #stamp<T extends { metadata?: { resourceVersion?: string; uid?: string; creationTimestamp?: Date } }>(object: T): T {
    this.#version += 1;
    object.metadata = { ...object.metadata, resourceVersion: String(this.#version) };
    return object;
  }

  #emit(kind: Kind, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: V1Pod | CoreV1Event): void {
    for (const watcher of this.#watchers) {
      if (watcher.kind === kind && matches(object.metadata?.labels, watcher.selector)) watcher.onEvent({ type, object: structuredClone(object) });
    }
  }

  /** Ends every open watch: normally, or with a 410 ERROR event. */
  dropWatches(options: { readonly isExpired?: boolean } = {}): void {
    for (const watcher of [...this.#watchers]) {
      if (options.isExpired === true) watcher.onEvent({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      watcher.end();
    }
  }

  /** Changes a pod's status as the kubelet would, and tells the watches. */
  setPodStatus(name: string, status: V1Pod['status']): void {
    const pod = this.pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    pod.status = status;
    this.#stamp(pod);
    this.#emit('pods', 'MODIFIED', pod);
  }

  /** A Kubernetes Event about a pod. */
  recordEvent(podName: string, reason: string, message: string): void {
    const event = this.#stamp<CoreV1Event>({ involvedObject: { kind: 'Pod', name: podName }, metadata: { name: `${podName}.${this.#version}` }, reason, message, type: 'Warning', count: 1 });
    this.#emit('events', 'ADDED', event);
  }

  /** Deletes a pod as someone else would. */
  deletePodBehindOurBack(name: string): void {
    const pod = this.pods.get(name);
    if (pod === undefined) return;
    this.pods.delete(name);
    this.#stamp(pod);
    this.#emit('pods', 'DELETED', pod);
  }

  async whoAmI(): Promise<string> {
    return 'system:serviceaccount:sg-test:driver';
  }

  async findDeniedPermissions(wanted: readonly KubePermission[]): Promise<KubePermission[]> {
    this.#call('findDeniedPermissions');
    return wanted.filter((permission) => this.denied.some((denied) => denied.verb === permission.verb && denied.resource === permission.resource));
  }

  async namespaceState(): Promise<'exists' | 'missing' | 'unknown'> {
    return this.namespaceExists ? 'exists' : 'missing';
  }

  async createNamespace(): Promise<void> {
    this.#call('createNamespace');
    this.namespaceExists = true;
  }

  async createPod(pod: V1Pod): Promise<V1Pod> {
    this.#call('createPod');
    const name = pod.metadata?.name ?? '';
    if (this.pods.has(name)) throw new KubeStatusError(409);
    this.#uid += 1;
    const stored = this.#stamp(structuredClone({ ...pod, metadata: { ...pod.metadata, uid: `uid-${this.#uid}`, creationTimestamp: new Date() }, status: { phase: 'Pending' } }));
    this.pods.set(name, stored);
    this.#emit('pods', 'ADDED', stored);
    return structuredClone(stored);
  }

  async readPod(name: string): Promise<V1Pod | undefined> {
    this.#call('readPod');
    const pod = this.pods.get(name);
    return pod === undefined ? undefined : structuredClone(pod);
  }

  async listPods(labelSelector: string): Promise<KubeList<V1Pod>> {
    this.#call('listPods');
    return { items: [...this.pods.values()].filter((pod) => matches(pod.metadata?.labels, labelSelector)).map((pod) => structuredClone(pod)), resourceVersion: String(this.#version) };
  }

  async deletePod(name: string): Promise<boolean> {
    this.#call('deletePod');
    const pod = this.pods.get(name);
    if (pod === undefined) return false;
    this.pods.delete(name);
    this.#stamp(pod);
    this.#emit('pods', 'DELETED', pod);
    return true;
  }

  async createSecret(secret: V1Secret): Promise<V1Secret> {
    this.#call('createSecret');
    const name = secret.metadata?.name ?? '';
    if (this.secrets.has(name)) throw new KubeStatusError(409);
    this.secrets.set(name, this.#stamp(structuredClone(secret)));
    return structuredClone(secret);
  }

  async readSecret(name: string): Promise<V1Secret | undefined> {
    const secret = this.secrets.get(name);
    return secret === undefined ? undefined : structuredClone(secret);
  }

  async listSecrets(labelSelector: string): Promise<KubeList<V1Secret>> {
    this.#call('listSecrets');
    return { items: [...this.secrets.values()].filter((secret) => matches(secret.metadata?.labels, labelSelector)).map((secret) => structuredClone(secret)), resourceVersion: String(this.#version) };
  }

  async annotateSecret(name: string, annotations: Readonly<Record<string, string | null>>): Promise<void> {
    this.#call('annotateSecret');
    const secret = this.secrets.get(name);
    if (secret === undefined) throw new KubeStatusError(404);
    const merged: Record<string, string> = { ...secret.metadata?.annotations };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    secret.metadata = { ...secret.metadata, annotations: merged };
  }

  async deleteSecret(name: string): Promise<boolean> {
    this.#call('deleteSecret');
    return this.secrets.delete(name);
  }

  async createPersistentVolumeClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    this.#call('createPersistentVolumeClaim');
    const name = claim.metadata?.name ?? '';
    if (this.claims.has(name)) throw new KubeStatusError(409);
    this.claims.set(name, structuredClone(claim));
  }

  async deletePersistentVolumeClaim(name: string): Promise<boolean> {
    this.#call('deletePersistentVolumeClaim');
    return this.claims.delete(name);
  }

  async readNetworkPolicy(name: string): Promise<V1NetworkPolicy | undefined> {
    return this.policies.get(name);
  }

  async createNetworkPolicy(policy: V1NetworkPolicy): Promise<void> {
    this.#call('createNetworkPolicy');
    this.policies.set(policy.metadata?.name ?? '', structuredClone(policy));
  }

  async listPodEvents(): Promise<KubeList<CoreV1Event>> {
    this.#call('listPodEvents');
    return { items: [], resourceVersion: String(this.#version) };
  }

  watch<T>(
    kind: Kind,
    options: { readonly labelSelector?: string; readonly resourceVersion: string },
    onEvent: (event: KubeWatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.#call(`watch ${kind}`);
    return new Promise<void>((resolve, reject) => {
      const watcher: Watcher = {
        kind,
        selector: options.labelSelector,
        onEvent: onEvent as (event: KubeWatchEvent<unknown>) => void,
        end: (error?: unknown) => {
          this.#watchers.delete(watcher);
          if (error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error('watch failed'));
        },
      };
      this.#watchers.add(watcher);
      signal.addEventListener('abort', () => watcher.end(), { once: true });
    });
  }
}
