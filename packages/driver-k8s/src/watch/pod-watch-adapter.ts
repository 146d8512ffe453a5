import type { DriverPlatformEvent, DriverSandbox, EventStreamAdapter, LogFields, SandboxChange } from '@shellgate/driver-sdk';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

import type { KubeApi } from '../cluster/kube-api.js';
import type { SandboxInventory } from '../sandbox-inventory.js';
import { DRIVER_NAME } from '../version.js';
import type { KubeStreamItem, KubeWatchStream } from './kube-watch-stream.js';

/** Pods whose events we forward, remembered from the pods the watch saw (Events carry no labels). */
const MAX_KNOWN_PODS = 4096;

function toPlatformEvent(event: CoreV1Event, nowMs: number): DriverPlatformEvent {
  const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  return {
    timestampMs: at === undefined ? nowMs : new Date(at).getTime(),
    source: DRIVER_NAME,
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    metadata: {
      object: `pod/${event.involvedObject.name ?? ''}`,
      component: event.source?.component ?? event.reportingComponent ?? '',
      count: String(event.count ?? 1),
    },
  };
}

/**
 * The driver's only watch code (the SDK's `EventStreamWatchSource` does the rest): pods and
 * Kubernetes Events from a {@link KubeWatchStream}, turned into sandbox changes. A pod that
 * exists shows its own state; one being deleted or gone shows what its Secret says: stopped on
 * request, deleted with the sandbox (gone), or deleted by someone else (PodDeleted) unless a
 * newer pod of the sandbox already exists. Events about our pods become platform events.
 */
export class PodWatchAdapter implements EventStreamAdapter<KubeStreamItem> {
  readonly #api: KubeApi;
  readonly #inventory: SandboxInventory;
  readonly #stream: KubeWatchStream;
  readonly #now: () => number;
  /** Pod name → sandbox id. */
  readonly #knownPods = new Map<string, string>();

  constructor(options: { readonly api: KubeApi; readonly inventory: SandboxInventory; readonly stream: KubeWatchStream; readonly now: () => number }) {
    this.#api = options.api;
    this.#inventory = options.inventory;
    this.#stream = options.stream;
    this.#now = options.now;
  }

  open(signal: AbortSignal): Promise<AsyncIterable<KubeStreamItem>> {
    return this.#stream.open(signal);
  }

  async list(signal: AbortSignal): Promise<readonly DriverSandbox[]> {
    const pods = this.#stream.takeFreshPods() ?? (await this.#api.listPods(this.#inventory.selector, signal));
    for (const pod of pods.items) this.#remember(pod);
    return this.#inventory.listAll(signal, pods);
  }

  describeEvent(item: KubeStreamItem): LogFields {
    if (item.kind === 'pod') return { kind: 'pod', type: item.type, pod: item.pod.metadata?.name ?? '' };
    if (item.kind === 'event') return { kind: 'event', reason: item.event.reason ?? '', pod: item.event.involvedObject.name ?? '' };
    return { kind: item.kind };
  }

  async *toChanges(item: KubeStreamItem, signal: AbortSignal): AsyncGenerator<SandboxChange> {
    if (item.kind === 'relisted') {
      yield { type: 'gap' };
      return;
    }
    if (item.kind === 'event') {
      const sandboxId = this.#knownPods.get(item.event.involvedObject.name ?? '');
      if (sandboxId !== undefined) yield { type: 'platform-event', sandboxId, event: toPlatformEvent(item.event, this.#now()) };
      return;
    }
    const owner = this.#inventory.ownerOf(item.pod.metadata?.labels);
    if (owner === undefined) return;
    this.#remember(item.pod);
    const isGoing = item.type === 'DELETED' || item.pod.metadata?.deletionTimestamp !== undefined;
    if (!isGoing) {
      yield { type: 'sandbox', sandbox: this.#inventory.toSandbox({ owner, secret: undefined, pod: item.pod }) };
      return;
    }
    const name = item.pod.metadata?.name ?? '';
    const [secret, current] = await Promise.all([this.#api.readSecret(name, signal), this.#api.readPod(name, signal)]);
    if (current !== undefined && current.metadata?.uid !== item.pod.metadata?.uid) return; // a newer pod speaks for the sandbox
    if (secret === undefined) {
      if (item.type === 'DELETED') yield { type: 'deleted', sandboxId: owner.sandboxId };
      return;
    }
    yield { type: 'sandbox', sandbox: this.#inventory.toSandbox({ owner, secret, pod: item.type === 'DELETED' ? undefined : item.pod }) };
  }

  #remember(pod: V1Pod): void {
    const owner = this.#inventory.ownerOf(pod.metadata?.labels);
    const name = pod.metadata?.name;
    if (owner === undefined || name === undefined) return;
    this.#knownPods.delete(name);
    this.#knownPods.set(name, owner.sandboxId);
    if (this.#knownPods.size > MAX_KNOWN_PODS) {
      const oldest = this.#knownPods.keys().next().value;
      if (oldest !== undefined) this.#knownPods.delete(oldest);
    }
  }
}
