import type { CoreV1Event, V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';

/** A list answer: its items and the resourceVersion a watch continues from. */
export interface KubeList<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** One line of a watch stream, as the API server sends it. */
export interface KubeWatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** The object; for ERROR a `Status` (code 410: the resourceVersion is too old). */
  readonly object: T;
}

/** One permission the driver needs, as a SelfSubjectAccessReview asks it. */
export interface KubePermission {
  readonly verb: string;
  readonly resource: string;
  /** "" for the core group. */
  readonly group: string;
}

/** What the API server knows of the driver's identity and whereabouts. */
export interface KubeIdentity {
  /** The API server URL. */
  readonly server: string;
  /** The user the server authenticated (SelfSubjectReview), else the kubeconfig's user name. */
  readonly user: string;
}

/**
 * The driver's seam over the Kubernetes API (STYLE.md rule 15): the calls it makes, in the
 * namespace it was built for, each bounded by the API timeout and `signal`. Not-found reads
 * answer undefined and not-found deletes false; other failures throw the client's errors,
 * which `toDriverError` maps. The real one is `ClientNodeApi`; unit tests use a fake.
 */
export interface KubeApi {
  readonly namespace: string;
  readonly server: string;

  whoAmI(signal: AbortSignal): Promise<string>;
  /** The permissions of `wanted` that the API server denies in the namespace. */
  findDeniedPermissions(wanted: readonly KubePermission[], signal: AbortSignal): Promise<KubePermission[]>;
  /** 'exists', 'missing', or 'unknown' when the identity may not read namespaces. */
  namespaceState(signal: AbortSignal): Promise<'exists' | 'missing' | 'unknown'>;
  createNamespace(labels: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void>;

  createPod(pod: V1Pod, signal: AbortSignal): Promise<V1Pod>;
  readPod(name: string, signal: AbortSignal): Promise<V1Pod | undefined>;
  listPods(labelSelector: string, signal: AbortSignal): Promise<KubeList<V1Pod>>;
  deletePod(name: string, gracePeriodSeconds: number, signal: AbortSignal): Promise<boolean>;

  createSecret(secret: V1Secret, signal: AbortSignal): Promise<V1Secret>;
  readSecret(name: string, signal: AbortSignal): Promise<V1Secret | undefined>;
  listSecrets(labelSelector: string, signal: AbortSignal): Promise<KubeList<V1Secret>>;
  /** Merges `annotations` into the secret's (a null value removes one). */
  annotateSecret(name: string, annotations: Readonly<Record<string, string | null>>, signal: AbortSignal): Promise<void>;
  deleteSecret(name: string, signal: AbortSignal): Promise<boolean>;

  createPersistentVolumeClaim(claim: V1PersistentVolumeClaim, signal: AbortSignal): Promise<void>;
  deletePersistentVolumeClaim(name: string, signal: AbortSignal): Promise<boolean>;

  readNetworkPolicy(name: string, signal: AbortSignal): Promise<V1NetworkPolicy | undefined>;
  createNetworkPolicy(policy: V1NetworkPolicy, signal: AbortSignal): Promise<void>;

  /** Core Events about pods, newest first is not promised; `limit` 1 reads a resourceVersion to watch from. */
  listPodEvents(limit: number, signal: AbortSignal): Promise<KubeList<CoreV1Event>>;

  /**
   * Follows `kind` from `resourceVersion` until the server ends the stream (it resolves) or it
   * fails (it rejects; a 410 on open rejects with a `statusCode` of 410). Events arrive in order
   * through `onEvent`.
   */
  watch<T>(
    kind: 'pods' | 'events',
    options: { readonly labelSelector?: string; readonly fieldSelector?: string; readonly resourceVersion: string },
    onEvent: (event: KubeWatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
