import { SANDBOX_LABEL_KEYS, readSandboxOwnership, setCondition, toOwnershipSelectors } from '@shellgate/driver-sdk';
import type { DriverCondition, DriverSandbox, SandboxOwnership } from '@shellgate/driver-sdk';
import type { V1Pod, V1Secret } from '@kubernetes/client-node';

import type { KubeApi, KubeList } from './cluster/kube-api.js';
import { toPodConditions, toPodDeletedConditions, toStoppedConditions } from './pod/pod-conditions.js';
import type { PodConditionOptions } from './pod/pod-conditions.js';
import { decodeSandboxRecord } from './pod/sandbox-record.js';
import { toSandboxObjectNames } from './pod/sandbox-names.js';

/** A sandbox named by id, else by name (the RPCs' `sandbox_id` / `sandbox_name`). */
export interface SandboxRef {
  readonly sandboxId: string;
  readonly sandboxName: string;
}

/** What the cluster holds for one sandbox: its Secret (the record) and its pod, either may be missing. */
export interface SandboxObjects {
  readonly owner: SandboxOwnership;
  readonly secret: V1Secret | undefined;
  readonly pod: V1Pod | undefined;
}

/**
 * Reads the sandboxes the driver owns from the cluster: pods and Secrets carrying the SDK's
 * labels with this gateway's id. The cluster is the only state; nothing is kept on disk.
 */
export class SandboxInventory {
  readonly #api: KubeApi;
  readonly #gatewayId: string;
  readonly #conditionOptions: () => PodConditionOptions;
  readonly #previousConditions: (sandboxId: string) => readonly DriverCondition[];

  constructor(options: {
    readonly api: KubeApi;
    readonly gatewayId: string;
    readonly conditionOptions: () => PodConditionOptions;
    readonly previousConditions: (sandboxId: string) => readonly DriverCondition[];
  }) {
    this.#api = options.api;
    this.#gatewayId = options.gatewayId;
    this.#conditionOptions = options.conditionOptions;
    this.#previousConditions = options.previousConditions;
  }

  /** `managed-by=shellgate,gateway-id=<ours>`: list and watch see only our objects. */
  get selector(): string {
    return toOwnershipSelectors(this.#gatewayId).join(',');
  }

  ownerOf(labels: Readonly<Record<string, string>> | undefined): SandboxOwnership | undefined {
    const owner = readSandboxOwnership(labels ?? {}, { gatewayId: this.#gatewayId });
    return owner === undefined || owner.sandboxId === '' ? undefined : owner;
  }

  /** Every sandbox: one per Secret, plus pods without one; `pods` reuses a listing just made. */
  async listAll(signal: AbortSignal, pods?: KubeList<V1Pod>): Promise<DriverSandbox[]> {
    const [secrets, podList] = await Promise.all([this.#api.listSecrets(this.selector, signal), pods ?? this.#api.listPods(this.selector, signal)]);
    return this.#join(secrets.items, podList.items).map((objects) => this.toSandbox(objects));
  }

  /** The objects of one sandbox, or undefined when the cluster holds none. */
  async find(ref: SandboxRef, signal: AbortSignal): Promise<SandboxObjects | undefined> {
    const label = ref.sandboxId === '' ? `${SANDBOX_LABEL_KEYS.sandboxName}=${ref.sandboxName}` : `${SANDBOX_LABEL_KEYS.sandboxId}=${ref.sandboxId}`;
    if (ref.sandboxId === '' && ref.sandboxName === '') return undefined;
    const selector = `${this.selector},${label}`;
    const [secrets, pods] = await Promise.all([this.#api.listSecrets(selector, signal), this.#api.listPods(selector, signal)]);
    return this.#join(secrets.items, pods.items)[0];
  }

  /** Names of the sandboxes of a workspace that still exist. */
  async listWorkspaceSecrets(workspace: string, signal: AbortSignal): Promise<readonly V1Secret[]> {
    return (await this.#api.listSecrets(`${this.selector},${SANDBOX_LABEL_KEYS.workspace}=${workspace}`, signal)).items;
  }

  /** The sandbox the objects stand for, conditions from the pod (or the record when there is none). */
  toSandbox(objects: SandboxObjects): DriverSandbox {
    const { owner, secret, pod } = objects;
    const podName = toSandboxObjectNames({ id: owner.sandboxId, name: owner.sandboxName, workspace: owner.workspace }).pod;
    let conditions: DriverCondition[];
    if (pod !== undefined && pod.metadata?.deletionTimestamp === undefined) conditions = toPodConditions(pod, this.#conditionOptions());
    else if (secret !== undefined && decodeSandboxRecord(secret)?.isStopped === true) conditions = toStoppedConditions();
    else conditions = toPodDeletedConditions(pod?.metadata?.name ?? podName, pod === undefined);
    return {
      id: owner.sandboxId,
      name: owner.sandboxName,
      namespace: owner.namespace,
      workspace: owner.workspace,
      spec: undefined,
      status: {
        sandboxName: owner.sandboxName,
        instanceId: pod?.metadata?.uid ?? '',
        agentFd: '',
        sandboxFd: '',
        conditions: conditions.reduce(setCondition, [...this.#previousConditions(owner.sandboxId)]),
        deleting: false,
      },
    };
  }

  #join(secrets: readonly V1Secret[], pods: readonly V1Pod[]): SandboxObjects[] {
    const bySandbox = new Map<string, { owner: SandboxOwnership; secret?: V1Secret; pod?: V1Pod }>();
    for (const secret of secrets) {
      const owner = this.ownerOf(secret.metadata?.labels);
      if (owner !== undefined) bySandbox.set(owner.sandboxId, { owner, secret });
    }
    for (const pod of pods) {
      const owner = this.ownerOf(pod.metadata?.labels);
      if (owner === undefined) continue;
      const entry = bySandbox.get(owner.sandboxId);
      if (entry === undefined) bySandbox.set(owner.sandboxId, { owner, pod });
      else entry.pod = pod;
    }
    return [...bySandbox.values()].map((entry) => ({ owner: entry.owner, secret: entry.secret, pod: entry.pod }));
  }
}
